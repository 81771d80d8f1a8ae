// How the roundtrip splits a history between scratch databases that work at once. A segment
// first upgrades through the revisions before it without checks, then judges its own: so each
// revision is still judged on the state its predecessors' upgrades made.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "project/project.h"

namespace ag::checks::roundtrip {

/// A run of revisions, by index in upgrade order: [begin, end).
struct Segment {
  size_t begin = 0;
  size_t end = 0;
};

/// How many segments `revisions` revisions get with roundtrip-jobs `jobs` (0: one per CPU
/// core, at most kMaximumAutoJobs, and only from kAutoMinimumRevisions revisions on: a scratch
/// database and an interpreter cost about what a few dozen revisions do). Never more than one
/// per revision or kMaximumJobs, never fewer than one.
size_t segment_count(size_t revisions, int jobs, unsigned cores);

inline constexpr size_t kMaximumAutoJobs = 4;
inline constexpr size_t kMaximumJobs = 16;
inline constexpr size_t kAutoMinimumRevisions = 100;

/// `count` segments covering [0, revisions), in order, sized so that they end together: judging
/// a revision (upgrade, downgrade, upgrade, two catalog readings) costs about four times its
/// plain upgrade, which each later segment pays for every revision before it. Empty segments are
/// left out; no revisions make one empty segment (env.py still runs).
std::vector<Segment> split(size_t revisions, size_t count);

/// Why the project's migrations may act on what scratch databases of one server share (roles,
/// tablespaces, other databases, the server's settings) so that two at once would meet: the
/// first file and phrase found in the strings and names of env.py and the revision files (not
/// their comments and docstrings), e.g. `migrations/env.py: create role`. nullopt when none is
/// found. Only the files themselves are read: a helper module they import, or a .sql file they
/// open, is not.
std::optional<std::string> shared_by_databases(const project::Project& project);

}  // namespace ag::checks::roundtrip
