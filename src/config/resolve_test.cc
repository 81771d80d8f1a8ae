// Typing one value (assign) and merging every source (resolve_settings).
#include "config/resolve.h"

#include <doctest/doctest.h>

#include <unistd.h>
#include "support/temp_dir.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace ag::config {
namespace {

namespace fs = std::filesystem;

using Scratch = test::TempDir;

/// What the check registry hands resolve_settings() (config cannot include it).
constexpr std::string_view kCheckNameList[] = {"heads", "roundtrip", "lint", "drift"};
constexpr CheckNames kCheckNames = kCheckNameList;

/// An Environment over a fixed map.
Environment environment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    auto it = variables.find(name);
    if (it == variables.end()) return std::nullopt;
    return it->second;
  };
}

const Key& key(std::string_view name) {
  const Key* found = find_key(name);
  REQUIRE(found != nullptr);
  return *found;
}

Settings assigned(std::string_view name, std::string text) {
  Settings settings;
  Status status = assign(settings, key(name), {std::move(text), "test"}, kCheckNames);
  INFO((status ? std::string() : status.error().describe()));
  REQUIRE(status.ok());
  return settings;
}

Error assign_error(std::string_view name, std::string text, std::string origin) {
  Settings settings;
  Status status = assign(settings, key(name), {std::move(text), std::move(origin)}, kCheckNames);
  REQUIRE_FALSE(status.ok());
  return status.error();
}

RawValues flags_for(const Scratch& folder, RawValues more = {}) {
  more["working-directory"] = {folder.path().string(), "flag --working-directory"};
  return more;
}

Settings resolved(const RawValues& flags, const Environment& env) {
  Result<Settings> settings = resolve_settings(flags, env, kCheckNames);
  INFO((settings ? std::string() : settings.error().describe()));
  REQUIRE(settings.ok());
  return *settings;
}

Error resolve_error(const RawValues& flags, const Environment& env) {
  Result<Settings> settings = resolve_settings(flags, env, kCheckNames);
  REQUIRE_FALSE(settings.ok());
  return settings.error();
}

bool ends_with(const std::string& text, std::string_view end) {
  return text.ends_with(end);
}

using Items = std::vector<std::string>;

}  // namespace

TEST_SUITE("config/assign") {
  TEST_CASE("every key's default parses") {
    for (const Key& k : keys()) {
      CAPTURE(k.name);
      Settings settings;
      Status status = assign(settings, k, {std::string(k.default_value), "default"}, kCheckNames);
      INFO((status ? std::string() : status.error().describe()));
      CHECK(status.ok());
    }
  }

  TEST_CASE("the defaults, typed") {
    Settings settings;
    for (const Key& k : keys()) {
      REQUIRE(assign(settings, k, {std::string(k.default_value), "default"}, kCheckNames).ok());
    }
    CHECK(settings.working_directory == ".");
    CHECK(settings.alembic_config == "alembic.ini");
    CHECK(settings.checks == Items{"heads", "roundtrip", "lint", "drift"});
    CHECK(settings.fail_on == FailOn::error);
    CHECK(settings.format == OutputFormat::automatic);
    CHECK(settings.step_timeout == 300);
    CHECK(settings.skip_revisions.empty());
    CHECK(settings.database_url.empty());
  }

  TEST_CASE("text and path values are trimmed") {
    CHECK(assigned("python", "  /usr/bin/python3.12\n").python == "/usr/bin/python3.12");
    CHECK(assigned("alembic-config", "\tdb/alembic.ini ").alembic_config == "db/alembic.ini");
    CHECK(assigned("database-url", "").database_url.empty());
  }

  TEST_CASE("integers: whole numbers >= 0, blanks around them allowed") {
    CHECK(assigned("step-timeout", "42").step_timeout == 42);
    CHECK(assigned("slow-migration-ms", " 0 ").slow_migration_ms == 0);
    CHECK(assigned("step-timeout", "600\n").step_timeout == 600);
  }

  TEST_CASE("integer errors name the key, the value, the origin and what is allowed") {
    for (std::string bad : {"-1", "abc", "12abc", "", "1.5", "99999999999", "+5", "0x10"}) {
      CAPTURE(bad);
      Error error = assign_error("slow-migration-ms", bad, "input INPUT_SLOW-MIGRATION-MS");
      CHECK(error.message ==
            "invalid value '" + bad + "' for slow-migration-ms: expected a whole number >= 0");
      CHECK(error.where == "input INPUT_SLOW-MIGRATION-MS");
      CHECK(error.describe() == "input INPUT_SLOW-MIGRATION-MS: " + error.message);
    }
  }

  TEST_CASE("lists split on commas and line breaks, blanks and repeats dropped") {
    CHECK(assigned("checks", "heads,lint").checks == Items{"heads", "lint"});
    CHECK(assigned("checks", " drift , heads ").checks == Items{"drift", "heads"});
    CHECK(assigned("checks", "heads\nlint\r\n\n  roundtrip\n").checks ==
          Items{"heads", "lint", "roundtrip"});
    CHECK(assigned("checks", "heads,,lint,heads,\n,lint").checks == Items{"heads", "lint"});
    CHECK(assigned("skip-revisions", "").skip_revisions.empty());
    CHECK(assigned("skip-revisions", " , \n ").skip_revisions.empty());
    CHECK(assigned("skip-revisions", "abc123, def456\nabc123\n789").skip_revisions ==
          Items{"abc123", "def456", "789"});
  }

  TEST_CASE("timeouts are at least a second: 0 would stop everything at once") {
    for (std::string name : {"step-timeout", "connect-timeout"}) {
      CAPTURE(name);
      CHECK(assign_error(name, "0", "test").message ==
            "invalid value '0' for " + name + ": expected a whole number >= 1");
      CHECK(assigned(name, "1").step_timeout + assigned(name, "1").connect_timeout >= 1);
    }
  }

  TEST_CASE("a checks list names at least one check") {
    for (std::string empty : {"", ",", " , \n "}) {
      CAPTURE(empty);
      CHECK(assign_error("checks", empty, "flag --checks").message ==
            "invalid value '" + empty +
                "' for checks: expected at least one of heads, roundtrip, "
                "lint, drift");
    }
  }

  TEST_CASE("database-url-env names environment variables") {
    CHECK(assigned("database-url-env", "DATABASE_URL, _X1").database_url_env ==
          Items{"DATABASE_URL", "_X1"});
    for (std::string bad : {"BAD NAME=x", "1ABC", "A-B", "URL$"}) {
      CAPTURE(bad);
      CHECK(assign_error("database-url-env", bad, "test").message ==
            "invalid database-url-env item '" + bad +
                "': expected names of environment variables (letters, digits and _, not starting "
                "with a digit)");
    }
  }

  TEST_CASE("a list item that is not a check name lists the allowed names") {
    Error error = assign_error("checks", "heads, tests", "flag --checks");
    CHECK(error.message ==
          "unknown checks item 'tests': expected a comma-separated list of heads, roundtrip, "
          "lint, drift");
    CHECK(error.where == "flag --checks");
  }

  TEST_CASE("list items are case-sensitive") {
    Error error = assign_error("checks", "Heads", "alembic-gate.toml:2");
    CHECK(error.message.find("unknown checks item 'Heads'") == 0);
    CHECK(error.where == "alembic-gate.toml:2");
  }

  TEST_CASE("choices accept exactly their values, trimmed") {
    CHECK(assigned("fail-on", "warning").fail_on == FailOn::warning);
    CHECK(assigned("fail-on", " never ").fail_on == FailOn::never);
    CHECK(assigned("format", "json").format == OutputFormat::json);
    CHECK(assigned("format", "github").format == OutputFormat::github);
  }

  TEST_CASE("every choice is the value of its key's enum with that name") {
    for (const Key& key : keys()) {
      if (key.type != ValueType::choice) continue;
      for (std::string_view choice : key.choices) {
        CAPTURE(key.name);
        CAPTURE(choice);
        Settings settings = assigned(key.name, std::string(choice));
        std::visit(
            [&](auto field) {
              using Member = std::remove_reference_t<decltype(settings.*field)>;
              if constexpr (std::is_same_v<Member, FailOn>)
                CHECK(fail_on_name(settings.*field) == choice);
              else if constexpr (std::is_same_v<Member, OutputFormat>)
                CHECK(output_format_name(settings.*field) == choice);
              else if constexpr (std::is_same_v<Member, Severity>)
                CHECK(severity_name(settings.*field) == choice);
              else
                FAIL("a choice key's field is no enum");
            },
            key.field);
      }
    }
  }

  TEST_CASE("a value that is not a choice lists the choices") {
    Error fail_on = assign_error("fail-on", "Warning", "input INPUT_FAIL-ON");
    CHECK(fail_on.message ==
          "invalid value 'Warning' for fail-on: expected one of error, warning, never");
    CHECK(fail_on.where == "input INPUT_FAIL-ON");
    Error format = assign_error("format", "xml", "pyproject.toml:7");
    CHECK(format.message ==
          "invalid value 'xml' for format: expected one of auto, text, github, json");
    CHECK(format.describe() ==
          "pyproject.toml:7: invalid value 'xml' for format: expected one of auto, text, github, "
          "json");
    Error empty = assign_error("format", "", "flag --format");
    CHECK(empty.message.find("invalid value '' for format") == 0);
  }

  TEST_CASE("a boolean value that is neither true nor false is an error naming the key") {
    // No key of the table is boolean yet; the parser is reached through a key of that type.
    Key flag{"dry-run", ValueType::boolean, "false", "help", &Settings::python};
    for (std::string bad : {"maybe", "", "2", "truthy"}) {
      CAPTURE(bad);
      Settings settings;
      Status status = assign(settings, flag, {bad, "input INPUT_DRY-RUN"}, kCheckNames);
      REQUIRE_FALSE(status.ok());
      CHECK(status.error().message ==
            "invalid value '" + bad + "' for dry-run: expected true or false");
      CHECK(status.error().where == "input INPUT_DRY-RUN");
    }
  }
}

TEST_SUITE("config/resolve_settings") {
  TEST_CASE("with nothing set, the defaults, the working directory made absolute") {
    Scratch folder;
    Settings settings = resolved(flags_for(folder), environment({}));
    CHECK(settings.working_directory == folder.path().string());
    CHECK(settings.alembic_config == "alembic.ini");
    CHECK(settings.checks == Items{"heads", "roundtrip", "lint", "drift"});
    CHECK(settings.fail_on == FailOn::error);
    CHECK(settings.format == OutputFormat::automatic);
    CHECK(settings.step_timeout == 300);
    CHECK(settings.python.empty());
  }

  TEST_CASE("priority: flags over inputs over alembic-gate.toml over defaults") {
    Scratch folder;
    folder.write("alembic-gate.toml",
                 "checks = [\"lint\"]\n"
                 "fail-on = \"warning\"\n"
                 "format = \"json\"\n"
                 "step-timeout = 10\n"
                 "python = \"python-from-file\"\n");
    Environment env = environment({{"INPUT_FAIL-ON", "never"},
                                   {"INPUT_FORMAT", "text"},
                                   {"INPUT_STEP-TIMEOUT", "20"},
                                   {"INPUT_PYTHON", ""},
                                   {"INPUT_DATABASE-URL", "postgresql://input"}});
    Settings settings = resolved(flags_for(folder, {{"format", {"github", "flag --format"}}}), env);
    CHECK(settings.checks == Items{"lint"});               // file
    CHECK(settings.fail_on == FailOn::never);              // input over file
    CHECK(settings.format == OutputFormat::github);        // flag over input and file
    CHECK(settings.step_timeout == 20);                    // input over file
    CHECK(settings.python == "python-from-file");          // empty input is unset
    CHECK(settings.database_url == "postgresql://input");  // input over default
    CHECK(settings.alembic_config == "alembic.ini");       // default
  }

  TEST_CASE("an input equal to its default is unset: the config file's value applies") {
    Scratch folder;
    folder.write("alembic-gate.toml", "fail-on = \"warning\"\n");
    CHECK(resolved(flags_for(folder), environment({{"INPUT_FAIL-ON", "error"}})).fail_on ==
          FailOn::warning);
    // A value other than the default still wins over the file.
    CHECK(resolved(flags_for(folder), environment({{"INPUT_FAIL-ON", "never"}})).fail_on ==
          FailOn::never);
  }

  TEST_CASE("every input at its default, as the runner passes them, leaves the file's values") {
    Scratch folder;
    folder.write("alembic-gate.toml",
                 "checks = [\"heads\"]\n"
                 "step-timeout = 10\n"
                 "lint-rules = [\"-prefer-jsonb\"]\n"
                 "drift-strict = true\n");
    std::map<std::string, std::string> runner;
    for (const Key& k : keys()) runner[input_variable(k.name)] = std::string(k.default_value);
    runner["INPUT_WORKING-DIRECTORY"] = folder.path().string();
    Settings settings = resolved({}, environment(runner));
    CHECK(settings.working_directory == folder.path().string());
    CHECK(settings.checks == Items{"heads"});
    CHECK(settings.step_timeout == 10);
    CHECK(settings.lint_rules == Items{"-prefer-jsonb"});
    CHECK(settings.drift_strict);
    CHECK(settings.fail_on == FailOn::error);  // neither file nor input: the default
  }

  TEST_CASE("[tool.alembic-gate] in pyproject.toml is read when there is no alembic-gate.toml") {
    Scratch folder;
    folder.write("pyproject.toml",
                 "[project]\n"
                 "name = \"app\"\n"
                 "\n"
                 "[tool.alembic-gate]\n"
                 "checks = [\"heads\", \"lint\"]\n"
                 "python = \"py-from-pyproject\"\n");
    Settings settings = resolved(flags_for(folder), environment({{"INPUT_CHECKS", "drift"}}));
    CHECK(settings.python == "py-from-pyproject");
    CHECK(settings.checks == Items{"drift"});
  }

  TEST_CASE("a pyproject.toml without [tool.alembic-gate] changes nothing") {
    Scratch folder;
    folder.write("pyproject.toml",
                 "[project]\nname = \"app\"\n[tool.alembic]\nscript_location = \"m\"\n");
    Settings settings = resolved(flags_for(folder), environment({}));
    CHECK(settings.checks == Items{"heads", "roundtrip", "lint", "drift"});
  }

  TEST_CASE("alembic-gate.toml wins over pyproject.toml, which is then not read at all") {
    Scratch folder;
    folder.write("alembic-gate.toml", "format = \"text\"\n");
    folder.write("pyproject.toml",
                 "[tool.alembic-gate]\nformat = \"json\"\npython = \"py-from-pyproject\"\n");
    Settings settings = resolved(flags_for(folder), environment({}));
    CHECK(settings.format == OutputFormat::text);
    CHECK(settings.python.empty());
  }

  TEST_CASE("a table groups keys under its name: [lint] since = ... sets lint-since") {
    Scratch folder;
    folder.write("pyproject.toml",
                 "[tool.alembic-gate]\n"
                 "fail-on = \"warning\"\n"
                 "[tool.alembic-gate.lint]\n"
                 "since = \"abc123\"\n"
                 "rules = [\"-prefer-jsonb\", \"-ban-drop-table\"]\n"
                 "[tool.alembic-gate.lint.severity]\n"
                 "ban-drop-column = \"warning\"\n"
                 "prefer-text-field = \"error\"\n");
    Settings settings = resolved(flags_for(folder), environment({}));
    CHECK(settings.fail_on == FailOn::warning);
    CHECK(settings.lint_since == "abc123");
    CHECK(settings.lint_rules == Items{"-prefer-jsonb", "-ban-drop-table"});
    CHECK(settings.lint_severity == Items{"ban-drop-column=warning", "prefer-text-field=error"});
  }

  TEST_CASE("an unknown key inside a table is named with the table's prefix") {
    Scratch folder;
    folder.write("alembic-gate.toml", "[lint]\nsince = \"a\"\nsinse = \"b\"\n");
    Error error = resolve_error(flags_for(folder), environment({}));
    CHECK(error.message == "unknown key 'lint-sinse'; see alembic-gate --help for the keys");
    CHECK(error.line == 3);
  }

  TEST_CASE("a file value that does not type is an error naming file:line") {
    Scratch folder;
    folder.write("alembic-gate.toml", "format = \"text\"\n\nstep-timeout = \"soon\"\n");
    Error error = resolve_error(flags_for(folder), environment({}));
    CHECK(error.message == "invalid value 'soon' for step-timeout: expected a whole number >= 1");
    CHECK(ends_with(error.describe(), "alembic-gate.toml:3: " + error.message));
  }

  TEST_CASE("an unknown key in the file is an error naming file:line") {
    Scratch folder;
    folder.write("alembic-gate.toml", "format = \"text\"\n# comment\nfial-on = \"error\"\n");
    Error error = resolve_error(flags_for(folder), environment({}));
    CHECK(error.message == "unknown key 'fial-on'; see alembic-gate --help for the keys");
    CHECK(ends_with(error.where, "alembic-gate.toml"));
    CHECK(error.line == 3);
    CHECK(error.describe().find("alembic-gate.toml:3: unknown key 'fial-on'") != std::string::npos);
  }

  TEST_CASE("an unknown key in [tool.alembic-gate] names pyproject.toml:line") {
    Scratch folder;
    folder.write("pyproject.toml", "[tool.alembic-gate]\nformat = \"text\"\nchecksum = 1\n");
    Error error = resolve_error(flags_for(folder), environment({}));
    CHECK(error.message.find("unknown key 'checksum'") == 0);
    CHECK(ends_with(error.where, "pyproject.toml"));
    CHECK(error.line == 3);
  }

  TEST_CASE("a value of the wrong TOML type is an error with its line") {
    Scratch folder;
    folder.write("alembic-gate.toml", "format = \"text\"\nstep-timeout = 1.5\n");
    Error error = resolve_error(flags_for(folder), environment({}));
    CHECK(error.message == "expected a string, boolean, integer or list of strings");
    CHECK(ends_with(error.where, "alembic-gate.toml"));
    CHECK(error.line == 2);

    Scratch table_value;
    table_value.write("alembic-gate.toml", "\n\nchecks = { heads = true }\n");
    Error table_error = resolve_error(flags_for(table_value), environment({}));
    CHECK(table_error.message == "expected a string, boolean, integer or list of strings");
    CHECK(table_error.line == 3);
  }

  TEST_CASE("a list with an item that is not a string is an error with its line") {
    Scratch folder;
    folder.write("alembic-gate.toml", "checks = [\n  \"heads\",\n  2,\n]\n");
    Error error = resolve_error(flags_for(folder), environment({}));
    CHECK(error.message == "list items must be strings");
    CHECK(error.line == 3);
  }

  TEST_CASE("[tool.alembic-gate] that is not a table is an error") {
    Scratch folder;
    folder.write("pyproject.toml", "[tool]\nalembic-gate = \"yes\"\n");
    Error error = resolve_error(flags_for(folder), environment({}));
    CHECK(error.message == "[tool.alembic-gate] must be a table");
    CHECK(error.line == 2);
  }

  TEST_CASE("malformed TOML is an error with its line") {
    Scratch folder;
    folder.write("alembic-gate.toml", "format = \"text\"\nchecks = = [\"heads\"]\n");
    Error error = resolve_error(flags_for(folder), environment({}));
    CHECK(error.message.find("malformed TOML: ") == 0);
    CHECK(ends_with(error.where, "alembic-gate.toml"));
    CHECK(error.line == 2);
  }

  TEST_CASE("working-directory cannot be set in the file") {
    Scratch folder;
    folder.write("alembic-gate.toml", "format = \"text\"\nworking-directory = \"sub\"\n");
    Error error = resolve_error(flags_for(folder), environment({}));
    CHECK(error.message.find("'working-directory' cannot be set in the config file") == 0);
    CHECK(ends_with(error.where, "alembic-gate.toml"));
    CHECK(error.line == 2);
  }

  TEST_CASE("a working-directory that does not exist is an error naming its origin") {
    Scratch folder;
    std::string missing = (folder.path() / "no-such-folder").string();
    Error from_flag = resolve_error({{"working-directory", {missing, "flag --working-directory"}}},
                                    environment({}));
    CHECK(from_flag.message == "working-directory '" + missing + "' is not a folder");
    CHECK(from_flag.where == "flag --working-directory");

    Error from_input = resolve_error({}, environment({{"INPUT_WORKING-DIRECTORY", missing}}));
    CHECK(from_input.message == "working-directory '" + missing + "' is not a folder");
    CHECK(from_input.where == "input INPUT_WORKING-DIRECTORY");

    // A file is not a folder.
    std::string file = folder.write("plain.txt", "x").string();
    Error not_folder =
        resolve_error({{"working-directory", {file, "flag --working-directory"}}}, environment({}));
    CHECK(not_folder.message == "working-directory '" + file + "' is not a folder");
  }

  TEST_CASE("INPUT_WORKING-DIRECTORY, hyphen kept, chooses the folder and its config file") {
    Scratch folder;
    folder.write("alembic-gate.toml", "format = \"json\"\n");
    Settings settings =
        resolved({}, environment({{"INPUT_WORKING-DIRECTORY", folder.path().string() + "/"},
                                  {"INPUT_WORKING_DIRECTORY", "/nonexistent"}}));
    CHECK(settings.working_directory == folder.path().string());
    CHECK(settings.format == OutputFormat::json);
  }

  TEST_CASE("the working-directory flag wins over the input") {
    Scratch flag_folder;
    Scratch input_folder;
    Settings settings =
        resolved(flags_for(flag_folder),
                 environment({{"INPUT_WORKING-DIRECTORY", input_folder.path().string()}}));
    CHECK(settings.working_directory == flag_folder.path().string());
  }

  TEST_CASE("an input value that does not type names the input") {
    Scratch folder;
    Error error = resolve_error(flags_for(folder), environment({{"INPUT_CHECKS", "heads,unit"}}));
    CHECK(error.where == "input INPUT_CHECKS");
    CHECK(error.message.find("unknown checks item 'unit'") == 0);
  }

  TEST_CASE("a flag value that does not type names the flag, even when the file is fine") {
    Scratch folder;
    folder.write("alembic-gate.toml", "fail-on = \"warning\"\n");
    Error error = resolve_error(flags_for(folder, {{"fail-on", {"sometimes", "flag --fail-on"}}}),
                                environment({}));
    CHECK(error.where == "flag --fail-on");
    CHECK(error.message.find("invalid value 'sometimes' for fail-on") == 0);
  }
}

TEST_SUITE("config/keys") {
  TEST_CASE("input variables are upper-cased with hyphens kept") {
    CHECK(input_variable("working-directory") == "INPUT_WORKING-DIRECTORY");
    CHECK(input_variable("checks") == "INPUT_CHECKS");
  }

  TEST_CASE("find_key finds every key by name and nothing else") {
    for (const Key& k : keys()) CHECK(find_key(k.name) == &k);
    CHECK(find_key("nope") == nullptr);
    CHECK(find_key("Checks") == nullptr);
  }

  TEST_CASE("read_inputs takes only non-empty declared inputs, naming their variable") {
    RawValues values = read_inputs(environment({{"INPUT_CHECKS", "heads"},
                                                {"INPUT_FORMAT", ""},
                                                {"INPUT_UNKNOWN", "x"},
                                                {"CHECKS", "lint"}}));
    REQUIRE(values.size() == 1);
    CHECK(values.at("checks").text == "heads");
    CHECK(values.at("checks").origin == "input INPUT_CHECKS");
  }
}

}  // namespace ag::config
