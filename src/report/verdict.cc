#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/reporters.h"

namespace ag {
namespace {

std::string plural(size_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

}  // namespace

std::string verdict_line(const Report& report) {
  size_t counts[3] = {0, 0, 0};
  for (const Finding& finding : report.findings()) ++counts[static_cast<int>(finding.severity)];
  std::vector<std::string> failed, unavailable, broken;
  for (const CheckOutcome& check : report.checks) {
    if (check.status == CheckStatus::failed) failed.push_back(check.name);
    if (check.status == CheckStatus::unavailable) unavailable.push_back(check.name);
    if (check.status == CheckStatus::error) broken.push_back(check.name);
  }
  std::string line = fmt::format("alembic-gate: {} ({}, {}, {})",
                                 report.broken()   ? "could not finish"
                                 : report.failed() ? "failed"
                                                   : "passed",
                                 plural(counts[2], "error"), plural(counts[1], "warning"),
                                 plural(counts[0], "notice"));
  if (!failed.empty()) line += fmt::format("; failed: {}", fmt::join(failed, ", "));
  if (!broken.empty()) line += fmt::format("; could not run: {}", fmt::join(broken, ", "));
  if (!unavailable.empty()) line += fmt::format("; did not run: {}", fmt::join(unavailable, ", "));
  return line;
}

}  // namespace ag
