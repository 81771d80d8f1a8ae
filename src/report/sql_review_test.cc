// The revisions' SQL in the job summary and the sql-file: blocks that stay blocks whatever the
// SQL holds, findings marked at their statements, GitHub's 1 MiB, and the secrets.
#include <doctest/doctest.h>

#include "report/reporters.h"
#include "report/sql_review.h"
#include "util/secrets.h"

namespace ag {
namespace {

RevisionSql revision(std::string id, std::string upgrade_sql) {
  return {.revision = id,
          .message = "add " + id,
          .file = "migrations/versions/" + id + ".py",
          .upgrade = {{"BEGIN;\n\n", 0}, {std::move(upgrade_sql), 9}, {"COMMIT;\n\n", 0}},
          .downgrade = {{"DROP INDEX ix;\n\n", 12}}};
}

Report with_review(SqlReview review, Findings findings = {}) {
  Report report;
  report.checks.push_back({.name = "lint", .findings = std::move(findings)});
  report.checks.back().sql_review = std::move(review);
  return report;
}

}  // namespace

TEST_CASE("sql review: a finding is marked above the statement at its line, in its file only") {
  Findings findings = {{.check = "lint",
                        .rule = "require-concurrent-index-creation",
                        .severity = Severity::error,
                        .message = "CREATE INDEX blocks writes\non users",
                        .file = "migrations/versions/a1.py",
                        .line = 9},
                       {.check = "lint",
                        .rule = "other",
                        .message = "elsewhere",
                        .file = "migrations/versions/b2.py",
                        .line = 9}};
  std::string section = sql_review_section(
      with_review({.revisions = {revision("a1", "CREATE INDEX ix ON users (name);\n\n")}},
                  findings),
      100000);
  CHECK(section.find("<details><summary><code>a1</code> add a1 · migrations/versions/a1.py · 1 "
                     "finding</summary>") != std::string::npos);
  CHECK(section.find("```sql\nBEGIN;\n\n-- ▼ error require-concurrent-index-creation (line 9): "
                     "CREATE INDEX blocks writes on users\nCREATE INDEX ix ON users (name);\n") !=
        std::string::npos);
  CHECK(section.find("elsewhere") == std::string::npos);
  CHECK(section.find("**Downgrade**\n\n```sql\nDROP INDEX ix;\n") != std::string::npos);
}

TEST_CASE("sql review: backticks in the SQL cannot end its code block") {
  std::string section = sql_review_section(
      with_review({.revisions = {revision("a1", "SELECT '````';\n```\n\n")}}), 100000);
  CHECK(section.find("`````sql\nBEGIN;") != std::string::npos);
  CHECK(section.find("\n`````\n") != std::string::npos);
}

TEST_CASE("sql review: the blocks that do not fit are counted, and older revisions are said") {
  SqlReview review{.revisions = {revision("a1", "SELECT 1;\n"), revision("b2", "SELECT 2;\n")},
                   .left_out = 7};
  std::string whole = sql_review_section(with_review(review), 100000);
  CHECK(whole.find("The 7 older revisions before these are not shown: only the newest 2.") !=
        std::string::npos);
  std::string cut = sql_review_section(with_review(review), whole.size() - 10);
  CHECK(cut.find("<code>a1</code>") != std::string::npos);
  CHECK(cut.find("<code>b2</code>") == std::string::npos);
  CHECK(cut.find("The SQL of 1 more revisions is not shown") != std::string::npos);
  CHECK(job_summary(with_review(review), {}).find("#### SQL to review") != std::string::npos);
}

TEST_CASE("sql review: no SQL at all says why, and no review means no section") {
  CHECK(sql_review_section(with_review({.unavailable = "env.py cannot run in offline mode: boom"}),
                           100000) ==
        "#### SQL to review\n\nThe SQL cannot be shown: env.py cannot run in offline mode: "
        "boom\n\n");
  CHECK(sql_review_section(Report{}, 100000).empty());
  CHECK(sql_file_text(Report{}).ends_with("-- None: neither lint nor pending ran.\n"));
}

TEST_CASE("sql-file: a header per revision, upgrade then downgrade, a failure where SQL stops") {
  RevisionSql failing = revision("b2", "UPDATE users SET x = 1;\n\n");
  failing.upgrade_failure = "raised in offline mode at b2.py:14: AttributeError: no rows\nmore";
  std::string text =
      sql_file_text(with_review({.revisions = {revision("a1", "SELECT 1;\n\n"), failing}}));
  CHECK(text.find("\n-- -----") != std::string::npos);
  CHECK(text.find("-- Revision a1: add a1\n-- File: migrations/versions/a1.py\n") !=
        std::string::npos);
  CHECK(text.find("-- Upgrade\nBEGIN;\n\nSELECT 1;\n\nCOMMIT;\n\n\n-- Downgrade\nDROP INDEX "
                  "ix;\n\n") != std::string::npos);
  CHECK(text.find("COMMIT;\n\n-- The upgrade's SQL stops here: it raised in offline mode at "
                  "b2.py:14: AttributeError: no rows more\n") != std::string::npos);
  CHECK(text.find("▼") == std::string::npos);  // the file is SQL as Alembic prints it
}

TEST_CASE("sql review: a secret in the SQL is redacted with the rest of the report") {
  Secrets secrets;
  secrets.add("hunter2");
  Report report = redacted(
      with_review({.revisions = {revision("a1", "CREATE ROLE app PASSWORD 'hunter2';\n")}}),
      secrets);
  std::string text = sql_file_text(report);
  CHECK(text.find("hunter2") == std::string::npos);
  CHECK(text.find("PASSWORD '***'") != std::string::npos);
}

}  // namespace ag
