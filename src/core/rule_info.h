// What a rule is, apart from any one finding: the catalog that SARIF, docs and settings read.
#pragma once

#include <span>
#include <string_view>

#include "core/finding.h"

namespace ag {

/// One rule a check can report. Each check keeps its rules in one static table and exposes it as a
/// std::span<const RuleInfo>; checks::registry::all_rules() concatenates them.
struct RuleInfo {
  std::string_view id;       ///< Stable id, e.g. "multiple-heads"; what findings carry in `rule`.
  std::string_view check;    ///< The check that reports it: "heads", "lint", "roundtrip", "drift".
  Severity severity;         ///< Default severity.
  std::string_view summary;  ///< One line: what the rule catches.
  std::string_view description;  ///< A paragraph: what goes wrong in production and why.
  std::string_view help;  ///< The fix in general terms (a finding's own help is more specific).
};

}  // namespace ag
