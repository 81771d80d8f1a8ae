// SARIF as github/codeql-action/upload-sarif takes it: 2.1.0, rules with every text filled,
// results with repository-relative URIs and regions, no empty strings.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "checks/registry/registry.h"
#include "report/reporters.h"
#include "support/sample_report.h"

namespace ag {
namespace {

nlohmann::json sarif(const Report& report) {
  std::ostringstream out;
  write_sarif(report, checks::registry::all_rules(), out);
  return nlohmann::json::parse(out.str());
}

/// JSON pointers of every empty string in `value`.
void empty_strings(const nlohmann::json& value, const std::string& at,
                   std::vector<std::string>& found) {
  if (value.is_string() && value.get<std::string>().empty()) found.push_back(at);
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) empty_strings(child, at + "/" + key, found);
  }
  if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i)
      empty_strings(value[i], at + "/" + std::to_string(i), found);
  }
}

}  // namespace

TEST_SUITE("report/sarif") {
  TEST_CASE("version, schema and one run of alembic-gate") {
    nlohmann::json log = sarif(test::sample_report());
    CHECK(log["version"] == "2.1.0");
    CHECK(log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json");
    REQUIRE(log["runs"].size() == 1);
    CHECK(log["runs"][0]["tool"]["driver"]["name"] == "alembic-gate");
  }

  TEST_CASE("one rule per id, every text filled, levels SARIF knows") {
    nlohmann::json rules = sarif(test::sample_report())["runs"][0]["tool"]["driver"]["rules"];
    std::set<std::string> ids;
    for (const nlohmann::json& rule : rules) {
      CAPTURE(rule.dump());
      CHECK(ids.insert(rule["id"].get<std::string>()).second);
      for (std::string_view text : {"shortDescription", "fullDescription", "help"})
        CHECK(!rule[text]["text"].get<std::string>().empty());
      std::string level = rule["defaultConfiguration"]["level"];
      CHECK((level == "error" || level == "warning" || level == "note"));
    }
    CHECK(ids.size() ==
          checks::registry::all_rules().size() + 1);  // the catalog and the unknown rule
    const RuleInfo* heads = checks::registry::find_rule("multiple-heads");
    REQUIRE(heads != nullptr);
    for (const nlohmann::json& rule : rules) {
      if (rule["id"] != "multiple-heads") continue;
      CHECK(rule["shortDescription"]["text"] == heads->summary);
      CHECK(rule["fullDescription"]["text"] == heads->description);
      CHECK(rule["help"]["text"] == heads->help);
    }
  }

  TEST_CASE("an unknown rule falls back to the finding's own text") {
    nlohmann::json run = sarif(test::sample_report())["runs"][0];
    const nlohmann::json& rules = run["tool"]["driver"]["rules"];
    const nlohmann::json& unknown = rules.back();
    CHECK(unknown["id"] == "future-rule");
    CHECK(unknown["shortDescription"]["text"].get<std::string>().starts_with(
        "a rule no catalog knows"));
    CHECK(unknown["defaultConfiguration"]["level"] == "note");
    CHECK(!unknown["help"]["text"].get<std::string>().empty());  // the finding has no help
  }

  TEST_CASE("results: rule index, level, repository-relative URIs and regions") {
    nlohmann::json run = sarif(test::sample_report())["runs"][0];
    const nlohmann::json& rules = run["tool"]["driver"]["rules"];
    const nlohmann::json& results = run["results"];
    REQUIRE(results.size() == 7);  // the findings with a file
    for (const nlohmann::json& result : results) {
      CAPTURE(result.dump());
      CHECK(rules[result["ruleIndex"].get<size_t>()]["id"] == result["ruleId"]);
      const nlohmann::json& location = result["locations"][0]["physicalLocation"];
      std::string uri = location["artifactLocation"]["uri"];
      CHECK(uri.starts_with("tests/fixtures/heads/two_heads/"));
      CHECK(uri.find(' ') == std::string::npos);
      CHECK(location["region"]["startLine"].get<int>() >= 1);
    }
    const nlohmann::json& trace = results[3];  // in check order, as the checks found them
    CHECK(trace["ruleId"] == "downgrade-leaves-trace");
    CHECK(trace["locations"][0]["physicalLocation"]["region"] ==
          nlohmann::json{{"startLine", 20}, {"endLine", 22}});
    const nlohmann::json& failed = results[4];
    CHECK(failed["locations"][0]["physicalLocation"]["region"] ==
          nlohmann::json{{"startLine", 20}, {"startColumn", 5}, {"endColumn", 13}});
    CHECK(results[5]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
          "tests/fixtures/heads/two_heads/migrations/name%20with%20space%20%C3%A4.py");
    CHECK(results[5]["level"] == "note");
    // A finding with a file but no line (env.py, for drift-no-metadata) is at the file's line 1.
    CHECK(results[6]["ruleId"] == "drift-no-metadata");
    CHECK(results[6]["locations"][0]["physicalLocation"]["region"] ==
          nlohmann::json{{"startLine", 1}});
  }

  TEST_CASE("findings without a file are notifications of the run, not results") {
    nlohmann::json invocation = sarif(test::sample_report())["runs"][0]["invocations"][0];
    CHECK(invocation["executionSuccessful"] == true);
    const nlohmann::json& notes = invocation["toolExecutionNotifications"];
    REQUIRE(notes.size() == 1);
    CHECK(notes[0]["descriptor"]["id"] == "multiple-heads");
    CHECK(notes[0]["level"] == "error");

    Report broken = test::sample_report();
    broken.checks[1].status = CheckStatus::error;
    CHECK(sarif(broken)["runs"][0]["invocations"][0]["executionSuccessful"] == false);
  }

  TEST_CASE("no empty string anywhere, even for findings with empty fields") {
    Report report = test::sample_report();
    report.checks[0].findings.push_back({.check = "heads",
                                         .severity = Severity::warning,
                                         .file = "a.py",
                                         .line = 1,
                                         .end_line = 1});
    std::vector<std::string> empty;
    empty_strings(sarif(report), "", empty);
    INFO(fmt::format("{}", fmt::join(empty, ", ")));
    CHECK(empty.empty());
  }

  TEST_CASE("a finding with a file but no line is at line 1 (code scanning needs a startLine)") {
    Report report;
    report.checks = {{.name = "lint", .status = CheckStatus::failed, .seconds = 0.01}};
    report.checks[0].findings = {{.check = "lint",
                                  .rule = "file-name",
                                  .severity = Severity::warning,
                                  .message = "the name does not match",
                                  .file = "m/v/a.py"}};
    nlohmann::json location =
        sarif(report)["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    CHECK(location["artifactLocation"]["uri"] == "m/v/a.py");
    CHECK(location["region"] == nlohmann::json{{"startLine", 1}});
  }

  TEST_CASE("findings without a rule id share one rule named unknown") {
    Report report;
    report.checks = {{.name = "heads", .status = CheckStatus::failed, .seconds = 0.01}};
    report.checks[0].findings = {{.check = "heads",
                                  .severity = Severity::error,
                                  .message = "one",
                                  .file = "a.py",
                                  .line = 1,
                                  .end_line = 1},
                                 {.check = "heads",
                                  .severity = Severity::error,
                                  .message = "two",
                                  .file = "b.py",
                                  .line = 2,
                                  .end_line = 2}};
    nlohmann::json run = sarif(report)["runs"][0];
    const nlohmann::json& rules = run["tool"]["driver"]["rules"];
    size_t unknown = 0;
    for (const nlohmann::json& rule : rules) unknown += rule["id"] == "unknown" ? 1 : 0;
    CHECK(unknown == 1);
    CHECK(rules.size() == checks::registry::all_rules().size() + 1);
    REQUIRE(run["results"].size() == 2);
    CHECK(run["results"][0]["ruleIndex"] == run["results"][1]["ruleIndex"]);
    CHECK(rules[run["results"][0]["ruleIndex"].get<size_t>()]["id"] == "unknown");
  }

  TEST_CASE("a file outside the repository is a notification naming it, not a result") {
    Report report;
    report.checks = {{.name = "drift", .status = CheckStatus::failed, .seconds = 0.01}};
    report.checks[0].findings = {{.check = "drift",
                                  .rule = "drift-missing-column",
                                  .severity = Severity::error,
                                  .message = "column users.nickname is in the models",
                                  .file = "/opt/venv/lib/shop/models.py",
                                  .line = 15,
                                  .end_line = 15}};
    nlohmann::json run = sarif(report)["runs"][0];
    CHECK(run["results"].empty());
    const nlohmann::json& notes = run["invocations"][0]["toolExecutionNotifications"];
    REQUIRE(notes.size() == 1);
    CHECK(notes[0]["descriptor"]["id"] == "drift-missing-column");
    CHECK(notes[0]["message"]["text"] ==
          "column users.nickname is in the models (at /opt/venv/lib/shop/models.py:15, outside "
          "the repository)");
  }

  TEST_CASE("a report with no findings is a valid log with no results") {
    Report report;
    report.checks = {{.name = "heads", .status = CheckStatus::passed, .seconds = 0.01}};
    nlohmann::json run = sarif(report)["runs"][0];
    CHECK(run["results"].empty());
    CHECK(!run["tool"]["driver"]["rules"].empty());
  }
}

}  // namespace ag
