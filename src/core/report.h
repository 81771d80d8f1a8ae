// What a run hands to the reporters.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/finding.h"

namespace ag {

class Secrets;

enum class CheckStatus { passed, failed, unavailable, error };

/// "passed", "failed", "unavailable" (ran but could not judge: drift without target_metadata) or
/// "error" (could not run: an infrastructure error).
std::string_view status_name(CheckStatus status);

/// How long one revision took to upgrade and downgrade (roundtrip); negative: not run.
struct RevisionTiming {
  std::string revision;
  double upgrade_seconds = -1;
  double downgrade_seconds = -1;
};

/// One check's outcome in a run.
/// Built by name, as a Finding is.
struct CheckOutcome {
  std::string name = {};
  CheckStatus status = CheckStatus::passed;
  Findings findings = {};
  double seconds = 0;
  std::vector<RevisionTiming> timings = {};
};

/// One revision as the job summary draws it.
struct GraphRevision {
  std::string id;
  std::string message;               ///< First line of the docstring; may be empty.
  std::vector<std::string> parents;  ///< down_revision as declared (a parent may not exist).
};

/// The shape of the history, for summaries and outputs.
struct GraphSummary {
  size_t revisions = 0;
  std::vector<std::string> heads;
  std::vector<std::string> bases;
  std::vector<std::string> merge_points;
  std::vector<std::string> branch_points;
  std::vector<GraphRevision> nodes;  ///< Every revision, sorted by id.
};

/// How many findings of each severity.
struct Counts {
  size_t errors = 0;
  size_t warnings = 0;
  size_t notices = 0;
};

/// Counts `findings` by severity.
Counts count(const Findings& findings);

/// A finding and the index of its check in Report::checks.
struct RankedFinding {
  size_t check = 0;
  const Finding* finding = nullptr;
};

/// The lowest severity that fails a run (the fail-on setting).
enum class FailOn { error, warning, never };

/// "error", "warning" or "never".
std::string_view fail_on_name(FailOn fail_on);

struct Report {
  std::filesystem::path repository_root;
  std::string project;  ///< The working directory, relative to the repository root.
  std::vector<CheckOutcome> checks;
  GraphSummary graph;
  FailOn fail_on = FailOn::error;

  /// Every finding of every check, in check order.
  Findings findings() const;
  /// Every finding, most important first: errors, then warnings, then notices; within a
  /// severity in check order, then by file (findings without one last) and line. Stable.
  /// The pointers are into `checks`.
  std::vector<RankedFinding> ranked() const;
  /// Whether the findings fail the run under fail_on.
  bool failed() const;
  /// Whether a check could not run (database unreachable, Python or Alembic missing, ...).
  bool broken() const;
};

/// Whether `severity` fails a run under `fail_on`.
bool fails(Severity severity, FailOn fail_on);

/// `report` with every secret replaced by *** in every text it carries.
Report redacted(Report report, const Secrets& secrets);

}  // namespace ag
