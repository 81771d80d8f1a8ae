#include "report/finding.h"

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

}  // namespace ag
