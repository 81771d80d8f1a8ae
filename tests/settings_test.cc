// Settings and project set-up errors end to end: exit code 2 and one line naming the key, where
// its value came from, and what is allowed.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "config/settings.h"
#include "support/run_gate.h"
#include "support/temp_dir.h"

namespace ag::test {
namespace {

/// A project with a one-revision history, and `config` as its alembic-gate.toml when given.
void write_project(const TempDir& dir, std::string_view config = {}) {
  dir.write("alembic.ini", "[alembic]\nscript_location = %(here)s/migrations\n");
  dir.write("migrations/versions/aaa_base.py",
            "\"\"\"base\"\"\"\nrevision = 'aaa'\ndown_revision = None\n");
  if (!config.empty()) dir.write("alembic-gate.toml", config);
}

GateRun run_in(const TempDir& dir, std::vector<std::string> args = {},
               const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), {"--working-directory", dir.path().string()});
  return run_gate(args, env);
}

}  // namespace

TEST_SUITE("settings") {
  TEST_CASE("an unknown key in the config file names file and line") {
    TempDir dir;
    write_project(dir, "fail-on = \"error\"\nchekcs = \"heads\"\n");
    GateRun run = run_in(dir);
    CHECK(run.exit_code == 2);
    CHECK(run.err == "alembic-gate: " + (dir.path() / "alembic-gate.toml").string() +
                         ":2: unknown key 'chekcs'; see alembic-gate --help for the keys\n");
  }

  TEST_CASE("[tool.alembic-gate] in pyproject.toml is read, with its lines") {
    TempDir dir;
    write_project(dir);
    dir.write("pyproject.toml",
              "[project]\nname = \"x\"\n\n[tool.alembic-gate]\nstep-timeout = \"soon\"\n");
    GateRun run = run_in(dir);
    CHECK(run.exit_code == 2);
    CHECK(run.err ==
          "alembic-gate: " + (dir.path() / "pyproject.toml").string() +
              ":5: invalid value 'soon' for step-timeout: expected a whole number >= 1\n");
  }

  TEST_CASE("malformed TOML and values of the wrong TOML type") {
    TempDir dir;
    write_project(dir, "checks = [\"heads\"\nfail-on = 3\n");
    GateRun run = run_in(dir);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("alembic-gate.toml:2: malformed TOML") != std::string::npos);

    dir.write("alembic-gate.toml", "checks = [1, 2]\n");
    run = run_in(dir);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("alembic-gate.toml:1: list items must be strings") != std::string::npos);
  }

  TEST_CASE("working-directory cannot come from the config file") {
    TempDir dir;
    write_project(dir, "working-directory = \"backend\"\n");
    GateRun run = run_in(dir);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find(":1: 'working-directory' cannot be set in the config file") !=
          std::string::npos);
  }

  TEST_CASE("an unknown check name in an action input names the input and the allowed names") {
    TempDir dir;
    write_project(dir);
    GateRun run = run_in(dir, {}, {{"INPUT_CHECKS", "heads, lnt"}});
    CHECK(run.exit_code == 2);
    CHECK(run.err ==
          "alembic-gate: input INPUT_CHECKS: unknown checks item 'lnt': expected a comma-separated "
          "list of "
          "heads, pending, roundtrip, lint, drift\n");
  }

  TEST_CASE("a bad flag value names the flag") {
    TempDir dir;
    write_project(dir);
    GateRun run = run_in(dir, {"--fail-on", "sometimes"});
    CHECK(run.exit_code == 2);
    CHECK(run.err ==
          "alembic-gate: flag --fail-on: invalid value 'sometimes' for fail-on: expected one of "
          "error, warning, "
          "never\n");
    CHECK(run_in(dir, {"--no-such-flag"}).exit_code == 2);
    CHECK(run_in(dir, {"stray"}).err ==
          "alembic-gate: command line: unexpected argument 'stray'; see --help\n");
  }

  TEST_CASE("priority: flags over inputs over the config file over defaults") {
    TempDir dir;
    write_project(dir, "checks = \"heads\"\nformat = \"json\"\nfail-on = \"never\"\n");
    dir.write("migrations/versions/bbb_second_head.py", "revision = 'bbb'\ndown_revision = None\n");
    dir.write("migrations/versions/ccc_child.py", "revision = 'ccc'\ndown_revision = 'aaa'\n");
    dir.write("migrations/versions/ddd_child.py", "revision = 'ddd'\ndown_revision = 'aaa'\n");
    CHECK(run_in(dir).exit_code == 0);                                      // file: never
    CHECK(run_in(dir, {}, {{"INPUT_FAIL-ON", "warning"}}).exit_code == 1);  // input over file
    CHECK(run_in(dir, {}, {{"INPUT_FAIL-ON", ""}}).exit_code == 0);         // empty input = unset
    CHECK(run_in(dir, {}, {{"INPUT_FAIL-ON", "error"}}).exit_code == 0);    // the default = unset
    CHECK(run_in(dir, {"--fail-on", "never"}, {{"INPUT_FAIL-ON", "warning"}}).exit_code ==
          0);                                      // flag over input
    nlohmann::json report = run_in(dir).report();  // format and checks from the file
    CHECK(report["checks"].size() == 1);
  }

  TEST_CASE("INPUT_WORKING-DIRECTORY keeps its hyphen and must be a folder") {
    TempDir dir;
    write_project(dir, "checks = \"heads\"\n");
    GateRun run =
        run_gate({"--format", "json"}, {{"INPUT_WORKING-DIRECTORY", dir.path().string()}});
    CHECK(run.exit_code == 0);
    CHECK(run.report()["graph"]["heads"] == nlohmann::json{"aaa"});

    GateRun missing = run_gate({}, {{"INPUT_WORKING-DIRECTORY", (dir.path() / "nope").string()}});
    CHECK(missing.exit_code == 2);
    CHECK(missing.err == "alembic-gate: input INPUT_WORKING-DIRECTORY: working-directory '" +
                             (dir.path() / "nope").string() + "' is not a folder\n");
  }

  TEST_CASE("a missing alembic.ini or versions folder is a finding naming the path, exit 2") {
    TempDir dir;
    GateRun run = run_in(dir, {"--format", "json"});
    CHECK(run.exit_code == 2);
    std::vector<nlohmann::json> found = run.findings("alembic-config");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["message"] == "Alembic config '" + (dir.path() / "alembic.ini").string() +
                                     "' not found (and no [tool.alembic] in pyproject.toml); set "
                                     "alembic-config or working-directory");

    dir.write("alembic.ini", "[alembic]\nscript_location = migrations\n");
    run = run_in(dir, {"--format", "json"});
    CHECK(run.exit_code == 2);
    found = run.findings("alembic-config");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["message"] ==
          "versions folder '" + (dir.path() / "migrations/versions").string() + "' does not exist");
    CHECK(found[0]["line"] == 2);
  }

  TEST_CASE("--help lists every option with its input name and default, --version") {
    GateRun help = run_gate({"--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("--database-url") != std::string::npos);
    for (const config::Key& key : config::keys()) {
      CAPTURE(key.name);
      CHECK(help.out.find("--" + std::string(key.name)) != std::string::npos);
      CHECK(help.out.find(config::input_variable(key.name)) != std::string::npos);
    }
    CHECK(help.out.find("default 300]") != std::string::npos);
    GateRun version = run_gate({"--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.out.rfind("alembic-gate ", 0) == 0);
  }

  TEST_CASE("json-file writes the report, an unwritable one is an error") {
    TempDir dir;
    write_project(dir, "checks = \"heads\"\n");
    GateRun run = run_in(dir, {"--json-file", "report.json"});
    CHECK(run.exit_code == 0);
    CHECK(std::filesystem::exists(dir.path() / "report.json"));
    GateRun bad = run_in(dir, {"--json-file", "no/such/folder/report.json"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("cannot write the JSON report") != std::string::npos);
  }
}

}  // namespace ag::test

namespace ag::test {

TEST_CASE("every settings key is documented in the README and declared in action.yml") {
  std::ifstream readme_file(AG_SOURCE_DIR "/README.md"), action_file(AG_SOURCE_DIR "/action.yml");
  std::string readme((std::istreambuf_iterator<char>(readme_file)), {});
  std::string action((std::istreambuf_iterator<char>(action_file)), {});
  for (const config::Key& key : config::keys()) {
    CAPTURE(key.name);
    CHECK(readme.find("| `" + std::string(key.name) + "` |") != std::string::npos);
    CHECK(action.find("\n  " + std::string(key.name) + ":\n") != std::string::npos);
  }
}

namespace {

/// Each input's `default:` in action.yml, without the quotes around it.
std::map<std::string, std::string> action_defaults(std::istream& action) {
  std::map<std::string, std::string> defaults;
  std::string section, input;
  for (std::string line; std::getline(action, line);) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#') section = line;
    if (section != "inputs:") continue;
    if (line.starts_with("  ") && line[2] != ' ' && line.ends_with(':'))
      input = line.substr(2, line.size() - 3);
    if (line.starts_with("    default: ")) {
      std::string value = line.substr(13);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      defaults[input] = value;
    }
  }
  return defaults;
}

/// The default column of the README's settings table for `name`: `value`, or (empty).
std::string readme_default(const std::string& readme, std::string_view name) {
  std::string row = "| `" + std::string(name) + "` | ";
  size_t at = readme.find(row);
  if (at == std::string::npos) return "(no row)";
  at += row.size();
  std::string cell = readme.substr(at, readme.find(" |", at) - at);
  if (cell == "(empty)") return "";
  if (cell.size() >= 2 && cell.front() == '`' && cell.back() == '`')
    return cell.substr(1, cell.size() - 2);
  return cell;
}

}  // namespace

// An input whose value equals its key's default counts as unset (the runner passes every input),
// so action.yml must give exactly the table's default, and the README must say the same.
TEST_CASE("each input's default is the same in action.yml, the keys table and the README") {
  std::ifstream action_file(AG_SOURCE_DIR "/action.yml"), readme_file(AG_SOURCE_DIR "/README.md");
  std::string readme((std::istreambuf_iterator<char>(readme_file)), {});
  std::map<std::string, std::string> defaults = action_defaults(action_file);
  CHECK(defaults.size() == config::keys().size());
  for (const config::Key& key : config::keys()) {
    CAPTURE(key.name);
    std::string name(key.name);
    REQUIRE(defaults.contains(name));
    CHECK(defaults[name] == key.default_value);
    CHECK(readme_default(readme, name) == key.default_value);
  }
}

TEST_CASE("the README quotes examples/workflows/pull-request.yml byte for byte") {
  std::ifstream readme_file(AG_SOURCE_DIR "/README.md"),
      example_file(AG_SOURCE_DIR "/examples/workflows/pull-request.yml");
  std::string readme((std::istreambuf_iterator<char>(readme_file)), {});
  std::string example((std::istreambuf_iterator<char>(example_file)), {});
  const std::string start = "`examples/workflows/pull-request.yml`:\n\n```yaml\n";
  size_t from = readme.find(start);
  REQUIRE(from != std::string::npos);
  from += start.size();
  size_t to = readme.find("```\n", from);
  REQUIRE(to != std::string::npos);
  CHECK(readme.substr(from, to - from) == example);
}

// The runner refuses an action.yml that defines a key twice ("'outputs' is already defined").
TEST_CASE("action.yml defines each top-level key and each input and output once") {
  std::ifstream action_file(AG_SOURCE_DIR "/action.yml");
  std::string section;
  std::set<std::string> seen;
  for (std::string line; std::getline(action_file, line);) {
    if (line.empty() || line.starts_with('#') || !line.ends_with(':')) continue;
    if (!line.starts_with(' '))
      section = line;
    else if (!line.starts_with("  ") || line[2] == ' ')
      continue;
    std::string key = line.starts_with(' ') ? section + line : line;
    CAPTURE(key);
    CHECK(seen.insert(key).second);
  }
  CHECK(seen.contains("outputs:"));
  CHECK(seen.contains("inputs:  database-url:"));
}

}  // namespace ag::test
