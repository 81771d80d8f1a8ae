#include "report/report.h"

#include <algorithm>

namespace ag {

std::string_view status_name(CheckStatus status) {
  switch (status) {
    case CheckStatus::passed:
      return "passed";
    case CheckStatus::failed:
      return "failed";
    case CheckStatus::unavailable:
      return "unavailable";
    case CheckStatus::error:
      return "error";
  }
  return "failed";
}

bool fails(Severity severity, std::string_view fail_on) {
  if (fail_on == "never") return false;
  if (fail_on == "warning") return severity != Severity::notice;
  return severity == Severity::error;
}

Findings Report::findings() const {
  Findings all;
  for (const CheckOutcome& check : checks)
    all.insert(all.end(), check.findings.begin(), check.findings.end());
  return all;
}

bool Report::broken() const {
  return std::any_of(checks.begin(), checks.end(),
                     [](const CheckOutcome& check) { return check.status == CheckStatus::error; });
}

bool Report::failed() const {
  return std::any_of(checks.begin(), checks.end(),
                     [](const CheckOutcome& check) { return check.status == CheckStatus::failed; });
}

}  // namespace ag
