// Renderers of a Report. They only render; every judgement was made by the checks.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "report/report.h"

namespace ag {

/// `path:line: severity: message [rule]`, a help line under it, and a verdict line.
/// Paths are shown relative to the current directory.
void write_text(const Report& report, std::ostream& out);

/// GitHub workflow commands: one ::group:: per check, an annotation per finding, a verdict line.
void write_github(const Report& report, std::ostream& out);

/// The JSON report (schema documented in the README).
void write_json(const Report& report, std::ostream& out);

/// One line: passed/failed with counts, and what did not run.
std::string verdict_line(const Report& report);

/// GitHub's escaping of a workflow command's message (toolkit escapeData).
std::string escape_data(std::string_view text);

/// GitHub's escaping of a workflow command's property value (toolkit escapeProperty).
std::string escape_property(std::string_view text);

}  // namespace ag
