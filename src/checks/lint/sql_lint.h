// The SQL half of the lint check: what each revision's upgrade SQL does to an existing database,
// judged statement by statement and reported on the line of the `op.` call that emitted it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "checks/check.h"
#include "checks/lint/sql_review.h"
#include "core/finding.h"
#include "core/report.h"
#include "core/rule_info.h"

namespace ag::checks::lint {

/// What the SQL half gives the lint check.
struct SqlLint {
  Findings findings;
  std::optional<SqlReview> review;  ///< With `review`.
};

/// SQL findings for `revisions` (ids in upgrade order, the ones in scope), whose files the lint
/// check has read (`sources`: what their `op.` calls say that the SQL does not): runs the worker
/// offline once for the range, parses each statement with libpg_query and applies the SQL rules.
/// Includes notices for unparsable statements and for an env.py that cannot run offline (then
/// returns only that notice). With `review`, also the upgrade and downgrade SQL of the newest
/// kReviewedRevisions of them (each downgrade one more offline run). Never throws for bad input.
SqlLint lint_sql(const checks::CheckContext& context, const std::vector<std::string>& revisions,
                 const RevisionSources& sources, bool review);
/// The catalog of the SQL rules, with the notices' ids (unparsable-sql, offline-env-failed,
/// offline-revision-failed); docs/rules/<id>.md describes each.
std::span<const RuleInfo> sql_rules();

}  // namespace ag::checks::lint
