// The step's outputs, in the form GITHUB_OUTPUT's file command reads.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/reporters.h"

namespace ag {
namespace {

/// name=value, or name<<DELIMITER / value / DELIMITER when the value has a line break.
std::string output(std::string_view name, std::string_view value, std::string_view delimiter) {
  if (value.find_first_of("\r\n") == std::string_view::npos)
    return fmt::format("{}={}\n", name, value);
  return fmt::format("{}<<{}\n{}\n{}\n", name, delimiter, value, delimiter);
}

}  // namespace

std::string step_outputs(const Report& report, const WrittenReports& written,
                         std::string_view delimiter) {
  std::vector<std::string> failed;
  for (const CheckOutcome& check : report.checks) {
    if (check.status == CheckStatus::failed || check.status == CheckStatus::error)
      failed.push_back(check.name);
  }
  Counts counts = count(report.findings());
  std::string out = output("result", result_name(report), delimiter);
  out += output("failed-checks", fmt::format("{}", fmt::join(failed, ",")), delimiter);
  out += output("error-count", std::to_string(counts.errors), delimiter);
  out += output("warning-count", std::to_string(counts.warnings), delimiter);
  out += output("heads", fmt::format("{}", fmt::join(report.graph.heads, ",")), delimiter);
  if (!written.json.empty()) out += output("report-json", written.json, delimiter);
  if (!written.sarif.empty()) out += output("report-sarif", written.sarif, delimiter);
  if (!written.sql.empty()) out += output("sql-file", written.sql, delimiter);
  for (const CheckOutcome& check : report.checks) {
    if (!check.deploy) continue;  // the deploy gate's (pending)
    out += output("current-revision", fmt::format("{}", fmt::join(check.deploy->current, ",")),
                  delimiter);
    if (!check.deploy->pending_known) continue;  // an unknown revision: no count to act on
    out += output("pending-revisions", fmt::format("{}", fmt::join(check.deploy->pending, ",")),
                  delimiter);
    out += output("pending-count", std::to_string(check.deploy->pending.size()), delimiter);
  }
  return out;
}

}  // namespace ag
