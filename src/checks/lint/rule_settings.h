// Which lint rules run and at what severity: the lint-rules and lint-severity settings.
//
// lint-rules is a list applied in order to a set of rules: `all` adds every rule, `rule-id` (or
// `+rule-id`) adds one, `-rule-id` removes one. The set starts empty, unless the first item is a
// removal (or the list is empty): then it starts with every rule (`-prefer-text-field` alone
// means all but that one).
// lint-severity is a list of `rule-id=severity` (error, warning or notice).
#pragma once

#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/rule_info.h"
#include "util/result.h"

namespace ag::checks::lint {

struct RuleSettings {
  std::set<std::string, std::less<>> enabled;
  std::map<std::string, Severity, std::less<>> severity;  ///< Overrides of the default.

  /// Applies the settings to `findings`: drops the ones of rules not enabled, overrides
  /// severities.
  void apply(Findings& findings) const;
};

/// Reads the two settings against `catalog`. Errors name the setting and the unknown rule or
/// severity.
Result<RuleSettings> read_rule_settings(const std::vector<std::string>& rules,
                                        const std::vector<std::string>& severities,
                                        std::span<const RuleInfo> catalog);

}  // namespace ag::checks::lint
