// The `pending` check: the deploy gate. Against the database about to be migrated, read-only:
// where it stands (the version table env.py configures), whether this history knows it, what
// `alembic upgrade head` would run there, that SQL, and which of those revisions have no way
// back. Not among the default checks.
#pragma once

#include <span>

#include "checks/check.h"
#include "core/rule_info.h"

namespace ag::checks::pending {

/// Connects to target-database-url (or the variable target-database-url-env names) with a
/// read-only session, reads the version table, and compares it with the history: an unknown
/// revision or several heads is an error; the pending revisions are a notice with their SQL
/// (CheckOutcome::sql_review) and the outcome's deploy state; a pending revision whose downgrade
/// runs nothing or raises NotImplementedError is a warning. A database that cannot be reached
/// or read (no SELECT on the version table) is an infrastructure failure (exit 3). Never writes.
CheckOutcome run(const CheckContext& context);

/// Every rule run() can report.
std::span<const RuleInfo> rules();

/// With `pending` among the checks: a target (target-database-url or target-database-url-env,
/// a variable name) is required.
Status validate_settings(const config::Settings& settings);

}  // namespace ag::checks::pending
