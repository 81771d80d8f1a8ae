// lint-rules and lint-severity: which rules run, at what severity, and the errors for bad values.
#include "checks/lint/rule_settings.h"

#include <doctest/doctest.h>

#include <array>

namespace ag::checks::lint {
namespace {

constexpr std::array kRules = {
    RuleInfo{"a", "lint", Severity::error, "", "", ""},
    RuleInfo{"b", "lint", Severity::warning, "", "", ""},
    RuleInfo{"c", "lint", Severity::notice, "", "", ""},
};

using Ids = std::set<std::string, std::less<>>;

Ids enabled(std::vector<std::string> rules) {
  Result<RuleSettings> settings = read_rule_settings(rules, {}, kRules);
  REQUIRE(settings.ok());
  return settings->enabled;
}

std::string error_of(std::vector<std::string> rules, std::vector<std::string> severities) {
  Result<RuleSettings> settings = read_rule_settings(rules, severities, kRules);
  REQUIRE_FALSE(settings.ok());
  return settings.error().message;
}

}  // namespace

TEST_SUITE("lint/rule_settings") {
  TEST_CASE("lint-rules: all, a list of ids, removals, in order") {
    CHECK(enabled({"all"}) == Ids{"a", "b", "c"});
    CHECK(enabled({}) == Ids{"a", "b", "c"});
    CHECK(enabled({"-b"}) == Ids{"a", "c"});
    CHECK(enabled({"all", "-a", "-c"}) == Ids{"b"});
    CHECK(enabled({"a", "+c"}) == Ids{"a", "c"});
    CHECK(enabled({"-a", "a"}) == Ids{"a", "b", "c"});
  }

  TEST_CASE("lint-severity overrides, and apply() drops the rules that do not run") {
    Result<RuleSettings> settings = read_rule_settings({"-c"}, {"a=warning", "b = Error"}, kRules);
    REQUIRE(settings.ok());
    Findings findings = {{.check = "lint", .rule = "a", .severity = Severity::error},
                         {.check = "lint", .rule = "b", .severity = Severity::warning},
                         {.check = "lint", .rule = "c", .severity = Severity::notice}};
    settings->apply(findings);
    REQUIRE(findings.size() == 2);
    CHECK(findings[0].severity == Severity::warning);
    CHECK(findings[1].severity == Severity::error);
  }

  TEST_CASE("unknown rules and severities are errors naming the setting") {
    CHECK(error_of({"-d"}, {}) ==
          "lint-rules: 'd' is not a lint rule (docs/rules/README.md lists them)");
    CHECK(error_of({}, {"d=error"}) ==
          "lint-severity: 'd' is not a lint rule (docs/rules/README.md lists them)");
    CHECK(error_of({}, {"a=fatal"}) ==
          "lint-severity: 'fatal' for a is not a severity: use error, warning or notice");
    CHECK(error_of({}, {"a"}) ==
          "lint-severity: 'a' should be rule-id=severity, e.g. ban-drop-column=warning");
  }
}

}  // namespace ag::checks::lint
