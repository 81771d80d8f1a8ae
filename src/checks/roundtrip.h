// The `roundtrip` check: the project's real migrations, one revision at a time, up, down and up
// again, proving that each downgrade undoes its upgrade.
#pragma once

#include <span>

#include "checks/check.h"
#include "checks/rule_info.h"

namespace ag::checks {

/// On the shared sandbox, from base: upgrades one revision at a time to the heads (Alembic's
/// order: branches, merges, several bases), fingerprinting the catalog after each; downgrades one
/// at a time back to base (or to minimum-downgrade-revision), comparing each state with the one
/// before that revision's upgrade; then upgrades to the heads again. skip-revisions are stamped,
/// not run. A difference is explained in a fresh sandbox rebuilt up to the state before the
/// revision (full snapshots only then). Leaves the sandbox at the heads, its session closed.
/// Findings: upgrade-failed, downgrade-failed, downgrade-leaves-trace, reupgrade-failed,
/// step-timeout, env-failed, revision-unloadable (errors); downgrade-not-implemented,
/// slow-migration (warnings). Infrastructure problems make the outcome status `error`.
CheckOutcome check_roundtrip(const CheckContext& context);

/// Every rule check_roundtrip() can report (its infrastructure errors are in general_rules()).
std::span<const RuleInfo> roundtrip_rules();

}  // namespace ag::checks
