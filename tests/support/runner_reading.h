// A step's output read back the way GitHub's runner reads it (actions/runner ActionCommand.cs,
// ActionCommandManager.cs): which lines are workflow commands, their properties and messages
// after unescaping, and what ::stop-commands:: keeps from running.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ag::test {

struct Command {
  std::string name;
  std::map<std::string, std::string> properties;
  std::string message;
};

/// What the runner does with a step's output.
struct RunnerView {
  std::vector<Command> commands;   ///< Run, in order (stop-commands and its end excluded).
  std::vector<std::string> shown;  ///< Every line that is not run as a command.
  std::vector<std::string> loose;  ///< Lines outside ::stop-commands:: blocks that are no command.
};

/// Reads `output` line by line as the runner does: a line is a command when, after its leading
/// white space (TryParseV2 trims it), it starts with "::NAME" and has a second "::"; inside
/// ::stop-commands::TOKEN only a ::TOKEN:: command counts, and it ends the block.
RunnerView read_like_the_runner(const std::string& output);

/// The commands of `view` named `name` ("error", "group", ...).
std::vector<Command> commands_named(const RunnerView& view, std::string_view name);

}  // namespace ag::test
