#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/reporters.h"

namespace ag {
namespace {

std::string plural(size_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

}  // namespace

std::string_view result_name(const Report& report) {
  if (report.broken()) return "error";
  return report.failed() ? "failed" : "passed";
}

std::string verdict_line(const Report& report) {
  Counts counts = count(report.findings());
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
                                 plural(counts.errors, "error"), plural(counts.warnings, "warning"),
                                 plural(counts.notices, "notice"));
  if (!failed.empty()) line += fmt::format("; failed: {}", fmt::join(failed, ", "));
  if (!broken.empty()) line += fmt::format("; could not run: {}", fmt::join(broken, ", "));
  if (!unavailable.empty())
    line += fmt::format("; could not judge: {}", fmt::join(unavailable, ", "));
  return line;
}

std::string check_line(const CheckOutcome& check) {
  return fmt::format("{}: {} ({})", check.name, status_name(check.status),
                     duration_text(check.seconds));
}

std::string duration_text(double seconds) {
  if (seconds < 1) return fmt::format("{:.0f} ms", seconds * 1000);
  return fmt::format("{:.1f} s", seconds);
}

std::string location_text(const Finding& finding) {
  if (finding.file.empty()) return "";
  if (finding.line <= 0) return finding.file;
  return fmt::format("{}:{}", finding.file, finding.line);
}

}  // namespace ag
