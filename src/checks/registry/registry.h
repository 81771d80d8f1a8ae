// The checks alembic-gate runs, one row each: what the settings accept in `checks`, what the
// pipeline runs, SARIF's rule list, the docs and the tests read. Adding a check is a folder under
// checks/ and a row in registry.cc (and, for a check that runs by default, its name in the
// `checks` key's default).
#pragma once

#include <span>
#include <string_view>

#include "checks/check.h"
#include "core/rule_info.h"

namespace ag::checks::registry {

/// One check.
struct CheckEntry {
  std::string_view name;                             ///< As `checks` lists it: "heads", "lint", ...
  CheckOutcome (*run)(const CheckContext& context);  ///< Runs it; never prints.
  std::span<const RuleInfo> (*rules)();              ///< Every rule it can report.
  /// Its settings read at start-up, before anything runs (a usage error: exit 2); may be null.
  Status (*validate)(const config::Settings& settings) = nullptr;
};

/// Every check, in the order the pipeline runs them.
std::span<const CheckEntry> all_checks();

/// Their names, in the same order: what the `checks` setting may list.
std::span<const std::string_view> check_names();

/// Every check's settings validated (CheckEntry::validate): the first error.
Status validate_settings(const config::Settings& settings);

/// The rules of all checks, general ones first, then in pipeline order. Ids are unique.
std::span<const RuleInfo> all_rules();

/// The rule with this id, or nullptr when no check declares it.
const RuleInfo* find_rule(std::string_view id);

}  // namespace ag::checks::registry
