// The `roundtrip` check: the project's real migrations, one revision at a time, up, down and up
// again, proving that each downgrade undoes its upgrade.
#pragma once

#include <span>

#include "checks/check.h"
#include "core/rule_info.h"

namespace ag::checks::roundtrip {

/// On the shared sandbox, from base, one revision at a time in Alembic's upgrade order
/// (branches, merges, several bases): its upgrade, then its downgrade and its upgrade again in a
/// savepoint rolled back afterwards, so that each revision is judged on the state its
/// predecessors' upgrades made, whatever another revision's downgrade did. The catalog read
/// after the downgrade is compared with the one before the upgrade, by names (never OIDs or
/// column numbers). Revisions up to minimum-downgrade-revision are only upgraded; skip-revisions
/// are stamped, not run. Leaves the sandbox at the heads, its session closed.
/// Findings: upgrade-failed, downgrade-failed, downgrade-leaves-trace, reupgrade-failed,
/// step-timeout, env-failed, revision-unloadable (errors); downgrade-not-implemented,
/// slow-migration (warnings). Infrastructure problems make the outcome status `error`.
CheckOutcome run(const CheckContext& context);

/// Every rule run() can report (its infrastructure errors are in general_rules()).
std::span<const RuleInfo> rules();

}  // namespace ag::checks::roundtrip
