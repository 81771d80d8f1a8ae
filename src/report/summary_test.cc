// The job summary: tables that stay tables whatever the messages hold, links, and GitHub's 1 MiB.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <regex>
#include <sstream>

#include "report/reporters.h"
#include "support/sample_report.h"

namespace ag {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Table rows of the findings table (they start with a severity badge).
std::vector<std::string> finding_rows(const std::string& summary) {
  std::vector<std::string> rows;
  for (const std::string& line : lines_of(summary)) {
    if (line.starts_with("| ❌ ") || line.starts_with("| ⚠️ ") || line.starts_with("| ℹ️ "))
      rows.push_back(line);
  }
  return rows;
}

/// Cell separators of a table row: '|' not escaped as '\|'.
size_t separators(const std::string& row) {
  size_t count = 0;
  for (size_t i = 0; i < row.size(); ++i)
    if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) ++count;
  return count;
}

/// The number in "N more findings are not listed", or 0 without a cut note.
size_t not_listed(const std::string& summary) {
  std::smatch match;
  static const std::regex kNote("cut here: ([0-9]+) more findings are not listed");
  return std::regex_search(summary, match, kNote) ? std::stoul(match[1]) : 0;
}

}  // namespace

TEST_SUITE("report/summary") {
  TEST_CASE("the verdict comes first, then the checks and the findings") {
    std::string summary = job_summary(test::sample_report(), {});
    CHECK(summary.starts_with("### ❌ alembic-gate: failed (5 errors, 1 warning, 2 notices)"));
    CHECK(summary.find("| check | status | duration |") < summary.find("#### Findings"));
    CHECK(summary.find("| roundtrip | ❌ failed | 3.2 s | 2 | 1 | 1 |") != std::string::npos);
    CHECK(summary.find("```mermaid\nflowchart TB\n") != std::string::npos);
  }

  TEST_CASE("every findings row has its six separators, whatever its message holds") {
    Report report = test::sample_report();
    report.checks[0].findings[0].message = "a | b \\| c\nd `e|f` ` g | h <details> &amp; **x**";
    std::vector<std::string> rows = finding_rows(job_summary(report, {}));
    REQUIRE(rows.size() == 8);
    for (const std::string& row : rows) {
      CAPTURE(row);
      CHECK(separators(row) == 6);
      CHECK(row.find("<details>") == std::string::npos);
    }
    // What the backticks pair into is code, written as <code> (its text escaped like the rest).
    CHECK(rows[0].find("a \\| b \\\\\\| c<br>d <code>e\\|f</code> \\` g \\| h &lt;details&gt; "
                       "&amp;amp; \\*\\*x\\*\\*") != std::string::npos);
  }

  TEST_CASE("locations link to the file and lines at the commit only when the commit is known") {
    Report report = test::sample_report();
    std::string linked = job_summary(report, {"https://github.example/o/r/blob/abc"});
    CHECK(linked.find("(https://github.example/o/r/blob/abc/tests/fixtures/heads/two_heads/"
                      "migrations/versions/065dfdffec2f_create_teams_table.py#L20-L22)") !=
          std::string::npos);
    CHECK(linked.find("name%20with%20space%20%C3%A4.py#L3)") != std::string::npos);
    std::string plain = job_summary(report, {});
    CHECK(plain.find("](http") == std::string::npos);
    CHECK(plain.find("065dfdffec2f\\_create\\_teams\\_table.py:20") != std::string::npos);
  }

  TEST_CASE("a file outside the repository gets no link: the message names it") {
    Report report = test::sample_report();
    report.checks[0].findings[0].file = "/opt/venv/lib/shop/models.py";
    report.checks[0].findings[0].line = 15;
    std::string linked = job_summary(report, {"https://github.example/o/r/blob/abc"});
    CHECK(linked.find("blob/abc//opt") == std::string::npos);
    CHECK(linked.find("/opt/venv/lib/shop/models.py:15, outside the repository)") !=
          std::string::npos);
  }

  TEST_CASE("more than 20 findings: the rest inside <details>") {
    std::string summary = job_summary(test::many_findings(25), {});
    CHECK(finding_rows(summary).size() == 25);
    size_t details = summary.find("<details><summary>5 more findings</summary>");
    REQUIRE(details != std::string::npos);
    CHECK(finding_rows(summary.substr(details)).size() == 5);
    CHECK(not_listed(summary) == 0);
  }

  TEST_CASE("500 findings with 10,000-character messages stay under 1 MiB, none lost silently") {
    std::string summary = job_summary(test::many_findings(500, 10000), {});
    CHECK(summary.size() < kSummaryLimit);
    CHECK(finding_rows(summary).size() + not_listed(summary) == 500);
  }

  TEST_CASE("5,000 findings: cut below 1 MiB with a note saying how many are not listed") {
    std::string summary = job_summary(test::many_findings(5000, 2000), {});
    CHECK(summary.size() < kSummaryLimit);
    size_t left = not_listed(summary);
    CHECK(left > 0);
    CHECK(finding_rows(summary).size() + left == 5000);
    CHECK(summary.find("GitHub limits a step's job summary to 1 MiB") != std::string::npos);
    CHECK(summary.find("</details>") > summary.rfind("<details><summary>4980 more findings"));
  }

  TEST_CASE("a smaller limit is kept too") {
    SummaryOptions options;
    options.limit = 6000;
    std::string summary = job_summary(test::many_findings(100, 300), options);
    CHECK(summary.size() <= 6000);
    CHECK(not_listed(summary) > 0);
  }

  TEST_CASE("a long history: the last 30 revisions and every branch, said so") {
    Report report = test::many_findings(0);
    GraphSummary& graph = report.graph;
    for (int i = 0; i < 500; ++i) {
      std::string parent = i == 0 ? "" : fmt::format("r{:03}", i - 1);
      graph.nodes.push_back(
          {fmt::format("r{:03}", i), "",
           parent.empty() ? std::vector<std::string>{} : std::vector<std::string>{parent}});
    }
    graph.revisions = 500;
    graph.heads = {"r499"};
    graph.bases = {"r000"};
    std::string summary = job_summary(report, {});
    CHECK(summary.find("The last 30 of 500 revisions") != std::string::npos);
    CHECK(summary.find("-. \"469 more\" .->") != std::string::npos);  // r000 to r470
  }
}

}  // namespace ag
