#include <fmt/format.h>

#include <algorithm>

#include "report/reporters.h"
#include "report/workflow_commands.h"
#include "util/text.h"

namespace ag {
namespace {

constexpr size_t kMessageLimit = 4000;  // GitHub cuts an annotation's message at 4096 characters

std::string annotation(const Finding& finding) {
  std::string properties;
  if (!finding.file.empty()) {
    properties = "file=" + escape_property(finding.file);
    if (finding.line > 0) {
      int end_line = std::max(finding.end_line, finding.line);
      properties += fmt::format(",line={},endLine={}", finding.line, end_line);
      if (finding.column > 0 && end_line == finding.line) {  // GitHub drops them otherwise
        properties += fmt::format(",col={}", finding.column);
        if (finding.end_column >= finding.column)
          properties += fmt::format(",endColumn={}", finding.end_column);
      }
    }
    properties += ",";
  }
  properties +=
      "title=" + escape_property(fmt::format("alembic-gate {}: {}", finding.check, finding.rule));
  std::string message = finding.message;
  if (!finding.help.empty()) message += "\n\nHow to fix: " + finding.help;
  return fmt::format("::{} {}::{}\n", severity_name(finding.severity), properties,
                     escape_data(shorten(message, kMessageLimit)));
}

/// A finding that is not an annotation, as log text (printed inside ::stop-commands::).
std::string plain_line(const Finding& finding) {
  std::string location = location_text(finding);
  std::string line = fmt::format("{}{}: {} [{}]\n", location.empty() ? "" : location + ": ",
                                 severity_name(finding.severity), finding.message, finding.rule);
  if (!finding.help.empty()) line += "  help: " + finding.help + "\n";
  return line;
}

/// Which of the ranked findings become annotations: the first ones of each severity, as many as
/// the step has room for (GitHub's limit, less the errors the caller reserves). When anything is
/// left out, one notice is kept free for the note that says so.
std::vector<bool> choose_annotations(const std::vector<RankedFinding>& ranked,
                                     const GithubOptions& options) {
  size_t limit = options.annotations_per_severity;
  size_t room[3] = {limit, limit, limit - std::min(options.reserved_errors, limit)};  // by Severity
  size_t totals[3] = {0, 0, 0};
  for (const RankedFinding& entry : ranked) ++totals[static_cast<int>(entry.finding->severity)];
  bool overflow = totals[0] > room[0] || totals[1] > room[1] || totals[2] > room[2];
  if (overflow) --room[static_cast<int>(Severity::notice)];
  std::vector<bool> chosen;
  chosen.reserve(ranked.size());
  for (const RankedFinding& entry : ranked) {
    size_t& left = room[static_cast<int>(entry.finding->severity)];
    chosen.push_back(left > 0);
    if (left > 0) --left;
  }
  return chosen;
}

}  // namespace

void write_github(const Report& report, std::ostream& out, const GithubOptions& options) {
  std::vector<RankedFinding> ranked = report.ranked();
  std::vector<bool> annotated = choose_annotations(ranked, options);
  size_t left_out = static_cast<size_t>(std::count(annotated.begin(), annotated.end(), false));
  for (size_t c = 0; c < report.checks.size(); ++c) {
    out << check_line(report.checks[c]) << "\n";
    std::string plain;
    for (size_t i = 0; i < ranked.size(); ++i) {
      if (ranked[i].check != c) continue;
      Finding finding = located_in_repository(*ranked[i].finding);
      if (annotated[i]) {
        out << annotation(finding);
      } else {
        plain += plain_line(finding);
      }
    }
    if (!plain.empty()) out << verbatim(plain, options.token);
  }
  if (left_out > 0) {
    out << fmt::format(
        "::notice title=alembic-gate::{} of {} findings are not annotations: GitHub shows at most "
        "{} errors, {} warnings and {} notices per step. They are in this log under their check, "
        "and the job summary lists them all.\n",
        left_out, ranked.size(), options.annotations_per_severity, options.annotations_per_severity,
        options.annotations_per_severity);
  }
  out << verdict_line(report) << "\n";
}

}  // namespace ag
