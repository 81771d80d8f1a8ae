// The lint check's catalog: unique ids, each rule documented in docs/rules with its severity.
#include "checks/lint/lint.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>

#include "util/file.h"

namespace ag::checks::lint {

TEST_SUITE("checks/lint") {
  TEST_CASE("every lint rule has a unique id, a page in docs/rules and a row in its index") {
    const std::filesystem::path docs = AG_SOURCE_DIR "/docs/rules";
    Result<std::string> index = read_file(docs / "README.md");
    REQUIRE(index.ok());
    std::set<std::string_view> ids;
    for (const RuleInfo& rule : rules()) {
      CAPTURE(rule.id);
      CHECK(ids.insert(rule.id).second);
      CHECK(rule.check == "lint");
      CHECK_FALSE(rule.summary.empty());
      CHECK_FALSE(rule.help.empty());
      Result<std::string> page = read_file(docs / (std::string(rule.id) + ".md"));
      REQUIRE(page.ok());
      CHECK(page->starts_with("# " + std::string(rule.id) + "\n"));
      CHECK(page->find("**Default severity:** " + std::string(severity_name(rule.severity))) !=
            std::string::npos);
      std::string row = "| [`" + std::string(rule.id) + "`](" + std::string(rule.id) + ".md) | " +
                        std::string(severity_name(rule.severity)) + " |";
      CHECK(index->find(row) != std::string::npos);
    }
    CHECK(ids.size() >= 30);
  }

  TEST_CASE("the settings are checked against the catalog") {
    config::Settings settings;
    settings.lint_rules = {"all", "-prefer-jsonb", "+bad-ignore"};
    settings.lint_severity = {"empty-message=notice", "ban-drop-table=error"};
    CHECK(validate_settings(settings).ok());
    settings.lint_rules = {"-no-such-rule"};
    CHECK_FALSE(validate_settings(settings).ok());
  }
}

}  // namespace ag::checks::lint
