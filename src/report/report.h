// What a run hands to the reporters.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "report/finding.h"

namespace ag {

enum class CheckStatus { passed, failed, unavailable, error };

/// "passed", "failed", "unavailable" or "error" (could not run: an infrastructure error).
std::string_view status_name(CheckStatus status);

/// How long one revision took to upgrade and downgrade (roundtrip); negative: not run.
struct RevisionTiming {
  std::string revision;
  double upgrade_seconds = -1;
  double downgrade_seconds = -1;
};

/// One check's outcome in a run.
struct CheckOutcome {
  std::string name;
  CheckStatus status = CheckStatus::passed;
  Findings findings;
  double seconds = 0;
  std::vector<RevisionTiming> timings;
};

/// The shape of the history, for summaries and outputs.
struct GraphSummary {
  size_t revisions = 0;
  std::vector<std::string> heads;
  std::vector<std::string> bases;
  std::vector<std::string> merge_points;
  std::vector<std::string> branch_points;
};

struct Report {
  std::filesystem::path repository_root;
  std::string project;  ///< The working directory, relative to the repository root.
  std::vector<CheckOutcome> checks;
  GraphSummary graph;
  std::string fail_on;  ///< error | warning | never

  /// Every finding of every check, in check order.
  Findings findings() const;
  /// Whether the findings fail the run under fail_on.
  bool failed() const;
  /// Whether a check could not run (database unreachable, Python or Alembic missing, ...).
  bool broken() const;
};

/// Whether `severity` fails a run under `fail_on` (error | warning | never).
bool fails(Severity severity, std::string_view fail_on);

}  // namespace ag
