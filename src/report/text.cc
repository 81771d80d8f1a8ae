#include <fmt/format.h>

#include "report/reporters.h"
#include "util/paths.h"

namespace ag {

void write_text(const Report& report, std::ostream& out) {
  for (const Finding& finding : report.findings()) {
    std::string place;
    if (!finding.file.empty()) {
      place = display_path(report.repository_root / finding.file);
      place += finding.line > 0 ? fmt::format(":{}: ", finding.line) : ": ";
    }
    out << fmt::format("{}{}: {} [{}]\n", place, severity_name(finding.severity), finding.message,
                       finding.rule);
    if (!finding.help.empty()) out << "  help: " << finding.help << "\n";
  }
  out << verdict_line(report) << "\n";
}

}  // namespace ag
