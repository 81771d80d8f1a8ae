// Command-line flags, one per settings key, plus --help and --version.
#pragma once

#include <string>

#include "config/raw_value.h"
#include "util/result.h"

namespace ag::config {

struct CommandLine {
  bool help = false;
  bool version = false;
  RawValues values;  ///< Only the flags given.
};

/// Parses argv. Unknown flags, missing values and stray arguments are errors naming the argument.
Result<CommandLine> parse_command_line(int argc, const char* const* argv);

/// The --help text: every option with its action-input name and default.
std::string help_text();

}  // namespace ag::config
