#include "checks/registry/registry.h"

#include <algorithm>
#include <array>
#include <vector>

#include "checks/drift/drift.h"
#include "checks/heads/heads.h"
#include "checks/lint/lint.h"
#include "checks/pending/pending.h"
#include "checks/roundtrip/roundtrip.h"

namespace ag::checks::registry {
namespace {

const std::array<CheckEntry, 5> kChecks = {{
    {"heads", heads::run, heads::rules},
    // Before lint: lint then judges what will run on the target, weighed by its tables' sizes.
    {"pending", pending::run, pending::rules, pending::validate_settings},
    // Before lint: lint judges what an upgrade ran online when it cannot render it offline.
    {"roundtrip", roundtrip::run, roundtrip::rules},
    {"lint", lint::run, lint::rules, lint::validate_settings},
    {"drift", drift::run, drift::rules},
}};

}  // namespace

std::span<const CheckEntry> all_checks() {
  return kChecks;
}

std::span<const std::string_view> check_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> all;
    for (const CheckEntry& check : kChecks) all.push_back(check.name);
    return all;
  }();
  return names;
}

Status validate_settings(const config::Settings& settings) {
  for (const CheckEntry& check : kChecks) {
    if (check.validate == nullptr) continue;
    if (Status valid = check.validate(settings); !valid) return valid;
  }
  return ok();
}

std::span<const RuleInfo> all_rules() {
  static const std::vector<RuleInfo> rules = [] {
    std::vector<RuleInfo> all(general_rules().begin(), general_rules().end());
    for (const CheckEntry& check : kChecks) {
      std::span<const RuleInfo> table = check.rules();
      all.insert(all.end(), table.begin(), table.end());
    }
    return all;
  }();
  return rules;
}

const RuleInfo* find_rule(std::string_view id) {
  std::span<const RuleInfo> rules = all_rules();
  auto it = std::find_if(rules.begin(), rules.end(), [&](const RuleInfo& r) { return r.id == id; });
  return it == rules.end() ? nullptr : &*it;
}

}  // namespace ag::checks::registry
