// The revisions' SQL for review: the job summary's section and the sql-file.
#include "report/sql_review.h"

#include <fmt/format.h>

#include <algorithm>

#include "report/markdown.h"
#include "report/reporters.h"
#include "util/text.h"
#include "version.h"

namespace ag {
namespace {

constexpr size_t kBlockBytes = 30000;  // one revision's SQL in the summary; sql-file has it all
constexpr size_t kMarkBytes = 300;
constexpr std::string_view kRule =
    "-- ------------------------------------------------------------------------------\n";

/// One line of a header or mark: line breaks would end the SQL comment it is in.
std::string one_line(std::string_view text) {
  std::string out = replace_all(text, "\r", "");
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

/// The texts as SQL; with `findings`, each finding at a text's line of `file` as a comment above
/// it; a failure as a comment where the SQL stops.
std::string sql_text(const std::vector<SqlText>& texts, const std::string& failure,
                     std::string_view which, const std::string& file, const Findings* findings) {
  std::string out;
  for (const SqlText& text : texts) {
    if (findings != nullptr && text.line > 0) {
      for (const Finding& finding : *findings) {
        if (finding.file != file || finding.line != text.line) continue;
        out += shorten(
                   one_line(fmt::format("-- ▼ {} {} (line {}): {}", severity_name(finding.severity),
                                        finding.rule, finding.line, finding.message)),
                   kMarkBytes) +
               "\n";
      }
    }
    out += text.sql;
    if (!out.ends_with('\n')) out += '\n';
  }
  if (!failure.empty())
    out += one_line(fmt::format("-- The {}'s SQL stops here: it {}", which, failure)) + "\n";
  if (out.empty()) out = fmt::format("-- The {} prints no SQL.\n", which);
  return out;
}

std::string headline(const RevisionSql& revision) {
  std::string out = revision.revision;
  if (!revision.message.empty()) out += ": " + revision.message;
  return one_line(out);
}

/// How many findings point at the revision's file.
size_t findings_in(const Findings& findings, const RevisionSql& revision) {
  return static_cast<size_t>(std::count_if(findings.begin(), findings.end(), [&](const Finding& f) {
    return !revision.file.empty() && f.file == revision.file;
  }));
}

std::string block(const RevisionSql& revision, const Findings& findings) {
  size_t found = findings_in(findings, revision);
  std::string summary = fmt::format("<code>{}</code>", html_text(revision.revision));
  if (!revision.message.empty()) summary += " " + html_text(one_line(revision.message));
  if (!revision.file.empty()) summary += " · " + html_text(revision.file);
  if (found > 0) summary += fmt::format(" · {} finding{}", found, found == 1 ? "" : "s");
  if (!revision.upgrade_failure.empty() || !revision.downgrade_failure.empty())
    summary += " · ⚠️ not all of it renders offline";
  auto part = [&](std::string_view title, const std::vector<SqlText>& texts,
                  const std::string& failure, std::string_view which) {
    std::string sql = sql_text(texts, failure, which, revision.file, &findings);
    if (sql.size() > kBlockBytes)
      sql = shorten(sql, kBlockBytes) + "\n-- (cut here: the sql-file has all of it)\n";
    return fmt::format("**{}**\n\n{}\n", title, code_block(sql, "sql"));
  };
  return fmt::format(
      "<details><summary>{}</summary>\n\n{}{}</details>\n\n", summary,
      part("Upgrade", revision.upgrade, revision.upgrade_failure, "upgrade"),
      part("Downgrade", revision.downgrade, revision.downgrade_failure, "downgrade"));
}

/// One review's section: its heading, its blocks while they fit in `room`.
std::string review_section(const SqlReview& review, const Report& report, size_t room) {
  std::string out = "#### " + html_text(review.title) + "\n\n";
  if (!review.unavailable.empty())
    return out + "The SQL cannot be shown: " + html_text(one_line(review.unavailable)) + "\n\n";
  if (review.revisions.empty()) return "";
  out +=
      "What each revision runs, as `alembic upgrade --sql` and `alembic downgrade --sql` print "
      "it for that revision alone; a finding is marked in a comment above the statement it "
      "points at.\n\n";
  if (review.left_out > 0) {
    out += fmt::format("The {} older revisions before these are not shown: only the newest {}.\n\n",
                       review.left_out, review.revisions.size());
  }
  Findings findings = report.findings();
  size_t shown = 0;
  for (; shown < review.revisions.size(); ++shown) {
    std::string next = block(review.revisions[shown], findings);
    if (out.size() + next.size() > room) break;
    out += next;
  }
  if (shown < review.revisions.size()) {
    out += fmt::format(
        "> [!NOTE]\n> The SQL of {} more revisions is not shown: GitHub limits a step's job "
        "summary to 1 MiB. `sql-file` writes all of it.\n\n",
        review.revisions.size() - shown);
  }
  return out;
}

/// One review's part of the sql-file.
std::string file_part(const SqlReview& review) {
  std::string out = "\n-- " + one_line(review.title) + ":\n";
  if (!review.unavailable.empty()) return out + one_line("-- None: " + review.unavailable) + "\n";
  if (review.revisions.empty()) return out + one_line("-- None: " + review.none) + ".\n";
  out +=
      "-- (alembic upgrade PARENT:REVISION --sql, then alembic downgrade REVISION:PARENT --sql)\n";
  if (review.left_out > 0) {
    out += fmt::format("-- The {} older revisions before these are left out: only the newest {}.\n",
                       review.left_out, review.revisions.size());
  }
  for (const RevisionSql& revision : review.revisions) {
    out += "\n" + std::string(kRule) + "-- Revision " + headline(revision) + "\n";
    if (!revision.file.empty()) out += "-- File: " + one_line(revision.file) + "\n";
    out += std::string(kRule) + "-- Upgrade\n";
    out += sql_text(revision.upgrade, revision.upgrade_failure, "upgrade", revision.file, nullptr);
    out += "\n-- Downgrade\n";
    out += sql_text(revision.downgrade, revision.downgrade_failure, "downgrade", revision.file,
                    nullptr);
  }
  return out;
}

}  // namespace

std::string sql_review_section(const Report& report, size_t room) {
  std::string out;
  for (const CheckOutcome& check : report.checks) {
    if (check.sql_review)
      out += review_section(*check.sql_review, report, room - std::min(room, out.size()));
  }
  return out;
}

std::string sql_file_text(const Report& report) {
  std::string out = fmt::format(
      "-- alembic-gate {}: the SQL of each revision, as Alembic prints "
      "it offline for that revision alone\n",
      kVersion);
  bool any = false;
  for (const CheckOutcome& check : report.checks) {
    if (!check.sql_review) continue;
    any = true;
    out += file_part(*check.sql_review);
  }
  if (!any) out += "-- None: neither lint nor pending ran.\n";
  return out;
}

}  // namespace ag
