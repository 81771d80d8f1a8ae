#include <doctest/doctest.h>

#include "app/pipeline.h"

namespace ag {
namespace {

Finding with_cause(std::string check, std::string rule, Severity severity, std::string cause) {
  return {.check = check,
          .rule = std::move(rule),
          .severity = severity,
          .message = check + " meets " + cause,
          .cause = std::move(cause)};
}

}  // namespace

TEST_SUITE("app/pipeline") {
  TEST_CASE("each cause is said once, by its most severe finding, naming the other checks") {
    Report report;
    report.checks = {
        {.name = "lint",
         .findings = {with_cause("lint", "offline-env-failed", Severity::notice, "m:billing"),
                      {.check = "lint", .rule = "missing-docstring"}}},
        {.name = "roundtrip",
         .findings = {with_cause("roundtrip", "env-failed", Severity::error, "m:billing"),
                      with_cause("roundtrip", "env-failed", Severity::error, "m:billing")}},
        {.name = "drift",
         .findings = {with_cause("drift", "drift-env-failed", Severity::error, "m:billing"),
                      with_cause("drift", "drift-env-failed", Severity::error, "m:other")}},
    };
    say_each_cause_once(report);
    REQUIRE(report.checks[0].findings.size() == 1);
    CHECK(report.checks[0].findings[0].rule == "missing-docstring");
    REQUIRE(report.checks[1].findings.size() == 1);  // a second segment's copy goes too
    CHECK(report.checks[1].findings[0].message ==
          "roundtrip meets m:billing (drift and lint met the same error)");
    REQUIRE(report.checks[2].findings.size() == 1);  // another cause stays, said as it was
    CHECK(report.checks[2].findings[0].message == "drift meets m:other");
  }

  TEST_CASE("a cause met by one check only is left as it is") {
    Report report;
    report.checks = {{.name = "roundtrip",
                      .findings = {with_cause("roundtrip", "env-failed", Severity::error, "m:x"),
                                   with_cause("roundtrip", "env-failed", Severity::error, "m:x")}}};
    say_each_cause_once(report);
    REQUIRE(report.checks[0].findings.size() == 1);
    CHECK(report.checks[0].findings[0].message == "roundtrip meets m:x");
  }
}

}  // namespace ag
