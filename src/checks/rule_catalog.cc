#include "checks/rule_catalog.h"

#include <algorithm>
#include <vector>

#include "checks/check.h"
#include "checks/drift.h"
#include "checks/heads.h"
#include "checks/lint.h"
#include "checks/roundtrip.h"

namespace ag::checks {

std::span<const RuleInfo> all_rules() {
  // One line per check's table; a new check adds its own line.
  static const std::vector<RuleInfo> rules = [] {
    std::vector<RuleInfo> all;
    for (std::span<const RuleInfo> table : {
             general_rules(),
             heads_rules(),
             lint_rules(),
             roundtrip_rules(),
             drift_rules(),
         }) {
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

}  // namespace ag::checks
