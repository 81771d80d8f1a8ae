#include "core/finding.h"

#include <fmt/format.h>

#include <filesystem>

namespace ag {

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::notice:
      return "notice";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
  }
  return "error";
}

Finding located_in_repository(Finding finding) {
  if (!std::filesystem::path(finding.file).is_absolute()) return finding;
  std::string place =
      finding.line > 0 ? fmt::format("{}:{}", finding.file, finding.line) : finding.file;
  finding.message += fmt::format(" (at {}, outside the repository)", place);
  finding.file.clear();
  finding.line = finding.end_line = finding.column = finding.end_column = 0;
  return finding;
}

}  // namespace ag
