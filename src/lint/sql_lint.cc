#include "lint/sql_lint.h"

namespace ag::lint {

Findings lint_sql(const checks::CheckContext&, const std::vector<std::string>&) {
  return {};
}

std::span<const checks::RuleInfo> sql_rules() {
  return {};
}

}  // namespace ag::lint
