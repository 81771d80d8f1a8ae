// The `heads` check: the revision graph is loadable and has one head per independent history.
#pragma once

#include <span>

#include "checks/check.h"
#include "core/rule_info.h"

namespace ag::checks::heads {

/// Judges the statically read graph: unreadable declarations, missing or duplicate revisions,
/// self-loops, cycles, branch label clashes, illegal ids, several heads, unlabelled independent
/// histories, an empty history. Each finding points at the declaration's file and line. Always
/// runs: its status is passed, or failed by the pipeline when a finding fails the run.
CheckOutcome run(const CheckContext& context);

/// Every rule run() can report, including the read problems of graph::RevisionScript.
std::span<const RuleInfo> rules();

}  // namespace ag::checks::heads
