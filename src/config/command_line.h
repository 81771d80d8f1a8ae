// Command-line flags, one per settings key, plus --help and --version.
#pragma once

#include <string>

#include "config/raw_value.h"
#include "util/result.h"

namespace ag::config {

struct CommandLine {
  bool help = false;
  bool version = false;
  bool no_color = false;  ///< --no-color: the text output has no colours (as NO_COLOR does).
  RawValues values;       ///< Only the flags given.
};

/// Parses argv (the settings' flags, --help, --version, --no-color). Unknown flags, missing values
/// and stray arguments are errors naming the argument.
Result<CommandLine> parse_command_line(int argc, const char* const* argv);

/// The --help text: every option with its action-input name and default.
std::string help_text();

}  // namespace ag::config
