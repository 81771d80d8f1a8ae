// The `heads` check: the revision graph is loadable and has one head per independent history.
#pragma once

#include <span>

#include "checks/check.h"
#include "core/rule_info.h"

namespace ag::checks {

/// Judges the statically read graph: unreadable declarations, missing or duplicate revisions,
/// self-loops, cycles, branch label clashes, illegal ids, several heads, unlabelled independent
/// histories, an empty history. Each finding points at the declaration's file and line.
Findings check_heads(const CheckContext& context);

/// Every rule check_heads() can report, including the read problems of graph::RevisionScript.
std::span<const RuleInfo> heads_rules();

}  // namespace ag::checks
