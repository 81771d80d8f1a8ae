// The registry: the checks the settings name, and every rule a check can emit described, once,
// with every field filled.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "checks/registry/registry.h"
#include "config/resolve.h"

namespace ag::checks::registry {
namespace {

struct Emitted {
  std::string_view check;  ///< RuleInfo::check expected for these ids.
  std::initializer_list<std::string_view> ids;
};

// What the code emits today, per producer (kept by hand: a new rule needs a line here and in its
// check's table; run_gate() additionally checks every finding of every integration test).
const Emitted kEmitted[] = {
    {"heads",
     {"multiple-heads", "unlabelled-branch", "missing-parent", "duplicate-revision", "self-loop",
      "cycle", "duplicate-branch-label", "unknown-dependency", "illegal-revision-id",
      "missing-revision-id", "missing-down-revision", "invalid-revision-id", "unreadable-value",
      "invalid-encoding", "syntax-error", "unreadable-file", "empty-history"}},
    {"roundtrip",
     {"upgrade-failed", "downgrade-failed", "downgrade-leaves-trace", "reupgrade-failed",
      "step-timeout", "env-failed", "revision-unloadable", "downgrade-not-implemented",
      "slow-migration", "unknown-revision-setting", "roles-left"}},
    {"alembic-gate", {"infrastructure"}},
    {"project", {"alembic-config"}},
    {"install", {"install-failed"}},
};

}  // namespace

TEST_SUITE("checks/rule catalog") {
  TEST_CASE(
      "the checks setting accepts the registry's names, and its default runs all but pending") {
    std::vector<std::string> registered;
    for (const CheckEntry& check : all_checks()) registered.emplace_back(check.name);
    CHECK(std::vector<std::string>(check_names().begin(), check_names().end()) == registered);
    const config::Key& key = *config::find_key("checks");
    config::Settings settings;
    REQUIRE(
        config::assign(settings, key, {std::string(key.default_value), "default"}, check_names())
            .ok());
    std::erase(registered, "pending");  // the deploy gate needs a database of its own to read
    CHECK(settings.checks == registered);
    Status unknown = config::assign(settings, key, {"heads,tests", "test"}, check_names());
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().message ==
          "unknown checks item 'tests': expected a comma-separated list of heads, pending, "
          "roundtrip, "
          "lint, drift");
  }

  TEST_CASE("every rule a check emits is in the catalog, under its check") {
    for (const Emitted& producer : kEmitted) {
      for (std::string_view id : producer.ids) {
        CAPTURE(id);
        const RuleInfo* rule = find_rule(id);
        REQUIRE(rule != nullptr);
        CHECK(rule->check == producer.check);
      }
    }
  }

  TEST_CASE("ids are unique and every field is filled") {
    std::set<std::string_view> seen;
    for (const RuleInfo& rule : all_rules()) {
      CAPTURE(rule.id);
      CHECK(seen.insert(rule.id).second);
      CHECK(!rule.check.empty());
      CHECK(!rule.summary.empty());
      CHECK(!rule.description.empty());
      CHECK(!rule.help.empty());
    }
  }

  TEST_CASE("an unknown id is not found") {
    CHECK(find_rule("no-such-rule") == nullptr);
    CHECK(find_rule("") == nullptr);
  }
}

}  // namespace ag::checks::registry
