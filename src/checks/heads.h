// The `heads` check: the revision graph is loadable and has one head per independent history.
#pragma once

#include "checks/check.h"

namespace ag::checks {

/// Judges the statically read graph: unreadable declarations, missing or duplicate revisions,
/// self-loops, cycles, branch label clashes, illegal ids, several heads, unlabelled independent
/// histories, an empty history. Each finding points at the declaration's file and line.
Findings check_heads(const CheckContext& context);

}  // namespace ag::checks
