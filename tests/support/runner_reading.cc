#include "support/runner_reading.h"

#include <algorithm>
#include <optional>
#include <sstream>

namespace ag::test {
namespace {

/// The runner's unescaping: each replacement over the whole text, in its table's order.
std::string unescape(std::string text, bool property) {
  auto replace_all = [&text](std::string_view from, std::string_view to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
  };
  replace_all("%0D", "\r");
  replace_all("%0A", "\n");
  if (property) {
    replace_all("%3A", ":");
    replace_all("%2C", ",");
  }
  replace_all("%25", "%");
  return text;
}

std::optional<Command> parse_command(std::string_view line) {
  line.remove_prefix(std::min(line.find_first_not_of(" \t\r\n\v\f"), line.size()));
  if (!line.starts_with("::")) return std::nullopt;
  size_t end = line.find("::", 2);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view head = line.substr(2, end - 2);
  Command command;
  command.message = unescape(std::string(line.substr(end + 2)), false);
  size_t space = head.find(' ');
  command.name = head.substr(0, space);
  if (space == std::string_view::npos) return command;
  std::string_view properties = head.substr(space + 1);
  while (!properties.empty()) {
    std::string_view pair = properties.substr(0, properties.find(','));
    properties.remove_prefix(std::min(properties.size(), pair.size() + 1));
    size_t equals = pair.find('=');
    if (equals == std::string_view::npos) continue;
    command.properties[std::string(pair.substr(0, equals))] =
        unescape(std::string(pair.substr(equals + 1)), true);
  }
  return command;
}

}  // namespace

RunnerView read_like_the_runner(const std::string& output) {
  RunnerView view;
  std::istringstream lines(output);
  std::string line, stop_token;
  while (std::getline(lines, line)) {
    std::optional<Command> command = parse_command(line);
    if (!stop_token.empty()) {
      if (command && command->name == stop_token) {
        stop_token.clear();
      } else {
        view.shown.push_back(line);
      }
    } else if (!command) {
      view.shown.push_back(line);
      view.loose.push_back(line);
    } else if (command->name == "stop-commands") {
      stop_token = command->message;
    } else {
      view.commands.push_back(*command);
    }
  }
  return view;
}

std::vector<Command> commands_named(const RunnerView& view, std::string_view name) {
  std::vector<Command> found;
  for (const Command& command : view.commands)
    if (command.name == name) found.push_back(command);
  return found;
}

}  // namespace ag::test
