// The `lint` check: migration style and PostgreSQL safety, on the migration files in scope.
#pragma once

#include <span>

#include "checks/check.h"
#include "core/rule_info.h"

namespace ag::checks {

/// Picks the files in scope (lint/scope.h), runs the static rules on each (lint/static_rules.h)
/// and the SQL rules on their revisions' offline SQL (lint/sql_lint.h), then applies lint-rules,
/// the ignore comments and lint-severity to all of those findings. A bad ignore comment is a
/// bad-ignore finding.
CheckOutcome check_lint(const CheckContext& context);

/// Every lint rule: the static ones, the SQL ones, and the check's own (bad-ignore, lint-scope,
/// lint-since-unknown).
std::span<const RuleInfo> lint_rules();

/// lint-rules and lint-severity read against lint_rules(); an unknown rule or severity is an
/// error naming the setting (a usage error: exit 2).
Status validate_lint_settings(const config::Settings& settings);

}  // namespace ag::checks
