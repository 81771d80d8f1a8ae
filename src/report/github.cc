#include <fmt/format.h>

#include "report/reporters.h"

namespace ag {
namespace {

std::string escape(std::string_view text, bool property) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      case ':':
        out += property ? "%3A" : ":";
        break;
      case ',':
        out += property ? "%2C" : ",";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string annotation(const Finding& finding) {
  std::string properties;
  if (!finding.file.empty()) {
    properties = "file=" + escape_property(finding.file);
    if (finding.line > 0) {
      properties += fmt::format(",line={},endLine={}", finding.line,
                                std::max(finding.end_line, finding.line));
    }
    properties += ",";
  }
  properties +=
      "title=" + escape_property(fmt::format("alembic-gate {}: {}", finding.check, finding.rule));
  std::string message = finding.message;
  if (!finding.help.empty()) message += "\n\nHow to fix: " + finding.help;
  return fmt::format("::{} {}::{}\n", severity_name(finding.severity), properties,
                     escape_data(message));
}

}  // namespace

std::string escape_data(std::string_view text) {
  return escape(text, false);
}
std::string escape_property(std::string_view text) {
  return escape(text, true);
}

void write_github(const Report& report, std::ostream& out) {
  for (const CheckOutcome& check : report.checks) {
    out << fmt::format("::group::{}: {} ({:.0f} ms)\n", check.name, status_name(check.status),
                       check.seconds * 1000);
    for (const Finding& finding : check.findings) out << annotation(finding);
    out << "::endgroup::\n";
  }
  out << verdict_line(report) << "\n";
}

}  // namespace ag
