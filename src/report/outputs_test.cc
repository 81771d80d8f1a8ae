// The step outputs, in GITHUB_OUTPUT's file-command form.
#include <doctest/doctest.h>

#include "report/reporters.h"
#include "support/sample_report.h"

namespace ag {

TEST_SUITE("report/outputs") {
  TEST_CASE("result, failed checks, counts and heads, and report paths only when written") {
    Report report = test::sample_report();
    CHECK(step_outputs(report, {}, "D") ==
          "result=failed\nfailed-checks=heads,roundtrip\nerror-count=5\nwarning-count=1\n"
          "heads=310dc4d717d9,e1600fa30d3a\n");
    CHECK(step_outputs(report, {.json = "reports/gate.json"}, "D")
              .ends_with("heads=310dc4d717d9,e1600fa30d3a\nreport-json=reports/gate.json\n"));
    CHECK(step_outputs(report, {.sarif = "backend/gate.sarif"}, "D")
              .ends_with("heads=310dc4d717d9,e1600fa30d3a\nreport-sarif=backend/gate.sarif\n"));
  }

  TEST_CASE("a multi-line value uses name<<DELIMITER") {
    CHECK(step_outputs(test::sample_report(), {.json = "a\nb.json"}, "ghadelimiter_x")
              .ends_with("report-json<<ghadelimiter_x\na\nb.json\nghadelimiter_x\n"));
  }

  TEST_CASE("a passing run and a run that could not finish") {
    Report report;
    report.checks = {{.name = "heads", .status = CheckStatus::passed}};
    report.graph.heads = {"abc"};
    CHECK(step_outputs(report, {}, "D") ==
          "result=passed\nfailed-checks=\nerror-count=0\nwarning-count=0\nheads=abc\n");
    report.checks.push_back({.name = "roundtrip", .status = CheckStatus::error});
    std::string broken = step_outputs(report, {}, "D");
    CHECK(broken.starts_with("result=error\nfailed-checks=roundtrip\n"));
  }
}

}  // namespace ag
