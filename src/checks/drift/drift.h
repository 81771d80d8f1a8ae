// The `drift` check: the models and the migrations must agree. A model changed without a
// migration breaks the next deploy; this check catches it in the pull request and points at the
// model.
#pragma once

#include <span>

#include "checks/check.h"
#include "core/rule_info.h"

namespace ag::checks::drift {

/// On a scratch database at the heads (the shared one when the roundtrip left it there or when it
/// is still empty, upgraded then; else a fresh one), runs Alembic's autogenerate comparison
/// through the project's env.py and reports each difference at the model's line. Without a
/// target_metadata: a drift-no-metadata notice and the status `unavailable`, never a pass. With
/// drift-strict, also compares that catalog with one built by metadata.create_all()
/// (drift_strict.h). Infrastructure problems make the status `error`.
CheckOutcome run(const CheckContext& context);

/// Every rule the drift check reports, with its default severity.
std::span<const RuleInfo> rules();

}  // namespace ag::checks::drift
