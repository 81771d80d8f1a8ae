// parse_command_line and help_text.
#include "config/command_line.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "config/settings.h"

namespace ag::config {
namespace {

Result<CommandLine> parse(std::vector<std::string> args) {
  std::vector<const char*> argv{"alembic-gate"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

CommandLine parsed(std::vector<std::string> args) {
  Result<CommandLine> command_line = parse(std::move(args));
  INFO((command_line ? std::string() : command_line.error().describe()));
  REQUIRE(command_line.ok());
  return *command_line;
}

/// The help text with every run of blanks and line breaks made one space, as it reads.
std::string flat_help() {
  std::string flat;
  for (char c : help_text()) {
    bool blank = c == ' ' || c == '\n';
    if (blank && (flat.empty() || flat.back() == ' ')) continue;
    flat += blank ? ' ' : c;
  }
  return flat;
}

Error parse_error(std::vector<std::string> args) {
  Result<CommandLine> command_line = parse(std::move(args));
  REQUIRE_FALSE(command_line.ok());
  return command_line.error();
}

}  // namespace

TEST_SUITE("config/command_line") {
  TEST_CASE("no arguments: nothing set") {
    CommandLine command_line = parsed({});
    CHECK_FALSE(command_line.help);
    CHECK_FALSE(command_line.version);
    CHECK(command_line.values.empty());
  }

  TEST_CASE("each flag sets its key, with the flag as origin") {
    CommandLine command_line =
        parsed({"--checks", "heads,lint", "--fail-on=warning", "--working-directory", "db/project",
                "--step-timeout", "60"});
    REQUIRE(command_line.values.size() == 4);
    CHECK(command_line.values.at("checks").text == "heads,lint");
    CHECK(command_line.values.at("checks").origin == "flag --checks");
    CHECK(command_line.values.at("fail-on").text == "warning");
    CHECK(command_line.values.at("fail-on").origin == "flag --fail-on");
    CHECK(command_line.values.at("working-directory").text == "db/project");
    CHECK(command_line.values.at("step-timeout").text == "60");
    CHECK_FALSE(command_line.help);
  }

  TEST_CASE("every key has a flag") {
    for (const Key& key : keys()) {
      CAPTURE(key.name);
      std::string name(key.name);
      CommandLine command_line = parsed({"--" + name + "=some value"});
      REQUIRE(command_line.values.count(name) == 1);
      CHECK(command_line.values.at(name).text == "some value");
      CHECK(command_line.values.at(name).origin == "flag --" + name);
    }
  }

  TEST_CASE("a boolean flag alone means true, and takes =false") {
    CHECK(parsed({"--allow-configured-database"}).values.at("allow-configured-database").text ==
          "true");
    CHECK(
        parsed({"--allow-configured-database=false"}).values.at("allow-configured-database").text ==
        "false");
  }

  TEST_CASE("an empty value is kept as given") {
    CommandLine command_line = parsed({"--database-url="});
    REQUIRE(command_line.values.count("database-url") == 1);
    CHECK(command_line.values.at("database-url").text.empty());
  }

  TEST_CASE("--help, -h and --version") {
    CHECK(parsed({"--help"}).help);
    CHECK(parsed({"-h"}).help);
    CHECK_FALSE(parsed({"--help"}).version);
    CHECK(parsed({"--version"}).version);
    CHECK_FALSE(parsed({"--version"}).help);
    CommandLine both = parsed({"--version", "--checks", "heads"});
    CHECK(both.version);
    CHECK(both.values.at("checks").text == "heads");
  }

  TEST_CASE("--no-color is a flag of its own, not a setting") {
    CommandLine plain = parsed({"--no-color", "--format", "text"});
    CHECK(plain.no_color);
    CHECK(plain.values.count("no-color") == 0);
    CHECK_FALSE(parsed({}).no_color);
    CHECK(flat_help().find("--no-color") != std::string::npos);
  }

  TEST_CASE("an unknown flag is an error naming it") {
    Error error = parse_error({"--checks", "heads", "--chekcs", "lint"});
    CHECK(error.where == "command line");
    CHECK(error.message.find("chekcs") != std::string::npos);
    CHECK(error.message.ends_with("; see --help"));
  }

  TEST_CASE("a stray positional argument is an error naming it") {
    Error error = parse_error({"--checks", "heads", "migrations"});
    CHECK(error.where == "command line");
    CHECK(error.message == "unexpected argument 'migrations'; see --help");
    CHECK(error.describe() == "command line: unexpected argument 'migrations'; see --help");
  }

  TEST_CASE("a flag without its value is an error naming the flag") {
    Error error = parse_error({"--checks"});
    CHECK(error.where == "command line");
    CHECK(error.message.find("checks") != std::string::npos);
    CHECK(error.message.ends_with("; see --help"));
  }

  TEST_CASE("the help lists every key with its flag, its input name and its default") {
    std::string help = flat_help();
    CHECK(help.find("--help") != std::string::npos);
    CHECK(help.find("--version") != std::string::npos);
    for (const Key& key : keys()) {
      CAPTURE(key.name);
      CHECK(help.find("--" + std::string(key.name) + " ") != std::string::npos);
      CHECK(help.find("input " + input_variable(key.name)) != std::string::npos);
      if (!key.default_value.empty()) {
        CHECK(help.find("default " + std::string(key.default_value) + "]") != std::string::npos);
      }
    }
  }

  TEST_CASE("the help says nothing of a default for keys without one") {
    std::string help = flat_help();
    size_t at = help.find("input INPUT_DATABASE-URL");
    REQUIRE(at != std::string::npos);
    CHECK(help.substr(at, 25) == "input INPUT_DATABASE-URL]");
  }
}

}  // namespace ag::config
