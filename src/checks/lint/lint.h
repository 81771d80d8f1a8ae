// The `lint` check: migration style and PostgreSQL safety, on the migration files in scope.
#pragma once

#include <span>

#include "checks/check.h"
#include "core/rule_info.h"

namespace ag::checks::lint {

/// Picks the files in scope (scope.h), runs the static rules on each (static_rules.h) and the
/// SQL rules on their revisions' offline SQL (sql_lint.h), then applies lint-rules,
/// the ignore comments and lint-severity to all of those findings. A bad ignore comment is a
/// bad-ignore finding.
CheckOutcome run(const CheckContext& context);

/// Every lint rule: the static ones, the SQL ones, and the check's own (bad-ignore, lint-scope,
/// lint-since-unknown).
std::span<const RuleInfo> rules();

/// lint-rules and lint-severity read against rules(); an unknown rule or severity is an
/// error naming the setting (a usage error: exit 2).
Status validate_settings(const config::Settings& settings);

}  // namespace ag::checks::lint
