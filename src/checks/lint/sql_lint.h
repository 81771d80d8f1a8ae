// The SQL half of the lint check: what each revision's upgrade SQL does to an existing database,
// judged statement by statement and reported on the line of the `op.` call that emitted it.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "checks/check.h"
#include "core/finding.h"
#include "core/rule_info.h"

namespace ag::checks::lint {

/// SQL findings for `revisions` (ids in upgrade order, the ones in scope): runs the worker offline
/// once for the range, parses each statement with libpg_query and applies the SQL rules. Includes
/// notices for unparsable statements and for an env.py that cannot run offline (then returns only
/// that notice). Never throws for bad input.
Findings lint_sql(const checks::CheckContext& context, const std::vector<std::string>& revisions);
/// The catalog of the SQL rules, with the notices' ids (unparsable-sql, offline-env-failed,
/// offline-revision-failed); docs/rules/<id>.md describes each.
std::span<const RuleInfo> sql_rules();

}  // namespace ag::checks::lint
