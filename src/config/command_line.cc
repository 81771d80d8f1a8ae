#include "config/command_line.h"

#include <fmt/format.h>
#include <cxxopts.hpp>

#include "config/settings.h"

namespace ag::config {
namespace {

constexpr std::string_view kUsage =
    "Checks an Alembic migration history against PostgreSQL: heads, roundtrip, lint, drift.\n"
    "Every option can also be set as an action input (INPUT_<NAME>) or in alembic-gate.toml /\n"
    "[tool.alembic-gate] in pyproject.toml; flags win over inputs, inputs over the file.";

std::string describe(const Key& key) {
  std::string text = fmt::format("{} [input {}", key.help, input_variable(key.name));
  if (!key.default_value.empty()) text += fmt::format(", default {}", key.default_value);
  return text + "]";
}

cxxopts::Options build_options() {
  cxxopts::Options options("alembic-gate", std::string(kUsage));
  options.custom_help("[options]");
  options.set_width(110);
  auto adder = options.add_options();
  for (const Key& key : keys()) {
    auto value = cxxopts::value<std::string>();
    if (key.type == ValueType::boolean) value->implicit_value("true");
    adder(std::string(key.name), describe(key), value);
  }
  options.add_options()("h,help", "Show this help and exit.")("version",
                                                              "Show the version and exit.")(
      "no-color", "No colours in the text output (also when the NO_COLOR variable is set).");
  return options;
}

}  // namespace

Result<CommandLine> parse_command_line(int argc, const char* const* argv) {
  cxxopts::Options options = build_options();
  CommandLine command_line;
  try {
    cxxopts::ParseResult parsed = options.parse(argc, argv);
    if (!parsed.unmatched().empty()) {
      return Error{fmt::format("unexpected argument '{}'; see --help", parsed.unmatched().front()),
                   "command line"};
    }
    command_line.help = parsed.count("help") > 0;
    command_line.version = parsed.count("version") > 0;
    command_line.no_color = parsed.count("no-color") > 0;
    for (const Key& key : keys()) {
      std::string name(key.name);
      if (parsed.count(name) > 0) {
        command_line.values[name] = {parsed[name].as<std::string>(), "flag --" + name};
      }
    }
  } catch (const cxxopts::exceptions::exception& e) {
    return Error{std::string(e.what()) + "; see --help", "command line"};
  }
  return command_line;
}

std::string help_text() {
  return build_options().help();
}

}  // namespace ag::config
