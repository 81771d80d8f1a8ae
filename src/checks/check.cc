#include "checks/check.h"

namespace ag::checks {

CheckOutcome infrastructure_failure(std::string_view check, const Error& error) {
  CheckOutcome outcome{std::string(check), CheckStatus::error, {}, 0, {}};
  outcome.findings.push_back({std::string(check), "infrastructure", Severity::error,
                              error.describe() + "; the check could not run", "", 0, 0, "", ""});
  return outcome;
}

}  // namespace ag::checks
