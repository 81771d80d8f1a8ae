// Every rule alembic-gate can report, from every check's own table: what SARIF's rule list, the
// docs and the tests read.
#pragma once

#include <span>
#include <string_view>

#include "core/rule_info.h"

namespace ag::checks {

/// The rules of all checks, general ones first, then in pipeline order. Ids are unique.
std::span<const RuleInfo> all_rules();

/// The rule with this id, or nullptr when no check declares it.
const RuleInfo* find_rule(std::string_view id);

}  // namespace ag::checks
