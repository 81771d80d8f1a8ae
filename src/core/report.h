// What a run hands to the reporters.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
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

/// One text of a revision's SQL as Alembic prints it offline (a statement, sometimes several or
/// a comment, with the line break Alembic ends it with).
struct SqlText {
  std::string sql;
  int line = 0;  ///< The revision file's line that emitted it; 0 for env.py's and Alembic's own.
};

/// One revision's SQL, for review: what `alembic upgrade PARENT:REV --sql` and `alembic
/// downgrade REV:PARENT --sql` print for it alone.
struct RevisionSql {
  std::string revision = {};
  std::string message = {};  ///< First line of its docstring; may be empty.
  std::string file = {};     ///< Relative to the repository root.
  std::vector<SqlText> upgrade = {};
  std::vector<SqlText> downgrade = {};
  /// Why the upgrade's SQL stops short (it raised in offline mode, where and what); "" when
  /// it is whole. The texts printed before it are kept.
  std::string upgrade_failure = {};
  std::string downgrade_failure = {};
};

/// The SQL of the revisions a check looked at (lint's scope, pending's revisions), in upgrade
/// order.
struct SqlReview {
  std::string title = "SQL to review";        ///< The heading it is shown under.
  std::string none = "no revision in scope";  ///< Said when there is no revision to show.
  std::vector<RevisionSql> revisions = {};
  size_t left_out = 0;           ///< Older revisions in scope whose SQL is not shown (the cap).
  std::string unavailable = {};  ///< Why there is no SQL at all (env.py cannot run offline).
};

/// A table of the target, as the planner's statistics know it (no lock taken to read them).
struct TableSize {
  std::string schema = {};
  std::string name = {};
  int64_t rows = -1;  ///< pg_class.reltuples: an estimate; -1 when never vacuumed or analyzed.
  int64_t bytes = 0;  ///< Its pages, its TOAST table's and its indexes', times the block size.
};

/// The most revisions a SqlReview shows: the newest ones.
constexpr size_t kReviewedRevisions = 50;

/// The newest kReviewedRevisions of `revisions` (in upgrade order); `left_out` gets how many
/// older ones are not.
std::vector<std::string> newest_for_review(const std::vector<std::string>& revisions,
                                           size_t& left_out);

/// The database a deploy is about to migrate, as the pending check read it.
struct DeployState {
  std::string database = {};              ///< "host:port, database x, user y": never the password.
  std::string version_table = {};         ///< schema.table, as found (or looked for).
  std::vector<std::string> current = {};  ///< The version table's revisions; none: nothing applied.
  std::vector<std::string> heads = {};    ///< The history's.
  std::vector<std::string> pending = {};  ///< What `alembic upgrade head` runs, in that order.
  /// False when the database is at a revision this history does not have: what is pending
  /// cannot be told (`pending` is empty then).
  bool pending_known = true;
  std::vector<std::string> no_way_back = {};  ///< Pending ones whose downgrade undoes nothing.
  std::vector<TableSize> tables = {};         ///< Every ordinary, partitioned or materialized one.
};

/// A statement a revision's upgrade ran online, in the roundtrip's sandbox: its text and the line
/// of the migration that sent it. Line 0 marks where autocommit_block() ended the migration's
/// transaction ("COMMIT") and began the next ("BEGIN").
struct RanStatement {
  std::string sql;
  int line = 0;
};

/// One check's outcome in a run.
/// Built by name, as a Finding is.
struct CheckOutcome {
  std::string name = {};
  CheckStatus status = CheckStatus::passed;
  Findings findings = {};
  double seconds = 0;
  std::vector<RevisionTiming> timings = {};
  /// lint's (when the SQL is wanted: sql-file, a job summary) and pending's.
  std::optional<SqlReview> sql_review = {};
  std::optional<DeployState> deploy = {};  ///< pending's.
  /// The roundtrip's, when lint runs too: what each judged revision's upgrade ran, by revision
  /// id; lint judges it for a revision whose offline SQL stops early.
  std::map<std::string, std::vector<RanStatement>> ran_sql = {};
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
