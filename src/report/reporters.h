// Renderers of a Report. They only render; every judgement was made by the checks.
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "core/report.h"
#include "core/rule_info.h"

namespace ag {

struct TextOptions {
  bool color = false;  ///< ANSI colours (a terminal without NO_COLOR or --no-color).
};

/// For a terminal: findings grouped by file (in rank order of their best finding), each as
/// `path:line: severity: message [rule]` with the source line and a help line under it, then a
/// one-line verdict. Paths are shown relative to the current directory.
void write_text(const Report& report, std::ostream& out, const TextOptions& options = {});

struct GithubOptions {
  std::string token;  ///< Random; closes the ::stop-commands:: blocks around verbatim text.
  size_t annotations_per_severity = 10;  ///< GitHub's limit per step (>= 1).
  /// Error annotations the caller prints besides the findings' (a run error, such as a report
  /// file that could not be written): taken from the findings' share, so that they still show.
  size_t reserved_errors = 0;
};

/// GitHub workflow commands, per check: its check_line(), then its most important findings as
/// annotations (at most annotations_per_severity of each severity over the whole report,
/// ranked) and the others as plain lines inside ::stop-commands::; then a notice saying how many
/// were not annotated, and a verdict line. No ::group::: the checks' own log lines are grouped
/// while they run (app/run.cc), and annotations stay outside groups.
void write_github(const Report& report, std::ostream& out, const GithubOptions& options);

/// The JSON report; the schema is docs/json-report.md.
void write_json(const Report& report, std::ostream& out);

/// SARIF 2.1.0 for GitHub code scanning: `rules` (every rule the tool can report), one result
/// per finding with a file; findings without one become tool notifications.
void write_sarif(const Report& report, std::span<const RuleInfo> rules, std::ostream& out);

/// GitHub's limit of a step's job summary.
constexpr size_t kSummaryLimit = 1024 * 1024;

struct SummaryOptions {
  /// GITHUB_SERVER_URL/GITHUB_REPOSITORY/blob/GITHUB_SHA: locations link to the file and line.
  /// Empty: locations are plain text.
  std::string blob_url;
  /// The summary is cut, with a note saying so, to stay below this many bytes.
  size_t limit = kSummaryLimit - 4096;
};

/// The job summary (GitHub-flavoured Markdown): the verdict, a table of checks, a table of the
/// findings (long lists inside <details>), the revision graph as a mermaid flowchart.
std::string job_summary(const Report& report, const SummaryOptions& options);

/// The sql-file: the SQL of each revision lint looked at, its upgrade then its downgrade as
/// Alembic prints them offline for it alone, under a commented header (id, message, file); a
/// revision whose SQL stops short says why in a comment there. Without SQL (lint did not run,
/// env.py cannot run offline) a comment says why.
std::string sql_file_text(const Report& report);

/// The mermaid flowchart of the history, base at the top: heads and merge points marked. A
/// history longer than `recent` shows its last `recent` revisions plus every head, base, branch
/// point and merge point, with the revisions in between counted on dotted edges.
std::string revision_flowchart(const GraphSummary& graph, size_t recent = 30);

/// The report files a run wrote, as the next step opens them: relative to the repository root
/// (the workspace), "" when not written.
struct WrittenReports {
  std::string json = {};
  std::string sarif = {};
  std::string sql = {};
};

/// The step's outputs in GITHUB_OUTPUT's form: result, failed-checks, error-count, warning-count,
/// heads, report-json, report-sarif and sql-file for the files written, and after the pending
/// check current-revision, pending-revisions and pending-count (the last two only when what is
/// pending could be told). A multi-line value is written
/// as name<<DELIMITER; `delimiter` must be unpredictable.
std::string step_outputs(const Report& report, const WrittenReports& written,
                         std::string_view delimiter);

/// One line: passed/failed with counts, and which checks failed, could not run or could not judge.
std::string verdict_line(const Report& report);

/// "passed", "failed" or "error" (a check could not run).
std::string_view result_name(const Report& report);

/// "roundtrip: failed (3.2 s)": a check's name, status and duration.
std::string check_line(const CheckOutcome& check);

/// "840 ms", "3.2 s".
std::string duration_text(double seconds);

/// A repository-relative path as a URI reference: each segment percent-encoded.
std::string uri_path(std::string_view path);

/// `file:line`, `file`, or "" for a finding without a file.
std::string location_text(const Finding& finding);

}  // namespace ag
