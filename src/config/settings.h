// The run's settings, and the one table of keys that describes them.
//
// Priority, highest first (this is the only place that decides it, see resolve.cc):
//   1. command-line flags            --checks heads,lint
//   2. action inputs                 INPUT_CHECKS=heads,lint   (hyphens kept; empty or equal to
//                                    the default = unset: the runner passes every input)
//   3. the config file               alembic-gate.toml, else [tool.alembic-gate] in pyproject.toml
//   4. defaults                      the `default_value` column of keys()
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/finding.h"
#include "core/report.h"

namespace ag::config {

/// Where and how the report is printed (the format setting).
enum class OutputFormat { automatic, text, github, json };

/// "auto", "text", "github" or "json".
std::string_view output_format_name(OutputFormat format);

/// Every setting of a run, typed. Values come from resolve_settings(); never set defaults here.
struct Settings {
  std::string working_directory;  ///< Absolute after resolve_settings().
  std::string alembic_config;     ///< Relative to working_directory unless absolute.
  std::vector<std::string> checks;
  std::string database_url;
  std::vector<std::string> database_url_env;
  int connect_timeout = 0;  ///< Seconds.
  bool allow_configured_database = false;
  FailOn fail_on = FailOn::error;
  OutputFormat format = OutputFormat::automatic;
  std::string json_file;
  std::string sarif_file;
  std::string sql_file;  ///< The SQL of lint's revisions, for review; empty: not written.
  std::string python;
  std::string install;  ///< A shell command; empty: nothing to install.
  /// SQL (or the name of a .sql file in working_directory) run in every scratch database before
  /// the migrations: extensions, schemas, roles the history expects to exist.
  std::string setup_sql;
  int step_timeout = 0;  ///< Seconds.
  std::string minimum_downgrade_revision;
  std::vector<std::string> skip_revisions;
  int slow_migration_ms = 0;
  int roundtrip_jobs = 0;  ///< Scratch databases the roundtrip uses at once; 0: automatic.
  std::vector<std::string> lint_rules;     ///< Items: all, rule-id, +rule-id, -rule-id.
  std::vector<std::string> lint_severity;  ///< Items: rule-id=severity.
  std::string lint_since;
  std::string target_database_url;      ///< The pending check's database; read only.
  std::string target_database_url_env;  ///< A variable holding it, when it is empty.
  int deploy_large_table_rows = 0;      ///< Rows from which a lint finding on it is an error.
  bool drift_strict = false;
  Severity drift_strict_severity = Severity::warning;
};

enum class ValueType { text, path, boolean, integer, list, choice };

/// Where a key's value goes. A choice's field is an enum whose values are the key's choices, in
/// order.
using Field = std::variant<std::string Settings::*, bool Settings::*, int Settings::*,
                           std::vector<std::string> Settings::*, FailOn Settings::*,
                           OutputFormat Settings::*, Severity Settings::*>;

/// One row of the settings table.
struct Key {
  std::string_view name;  ///< kebab-case: the flag (--name), the input (INPUT_NAME), the file key.
  ValueType type;
  std::string_view default_value;
  std::string_view help;
  Field field;
  /// For choice, and the allowed items of a list (the `checks` list's are CheckNames).
  std::span<const std::string_view> choices = {};
  bool allowed_in_file = true;
  int minimum = 0;  ///< For integer: the smallest value allowed.
};

/// The table, in the order --help lists it.
std::span<const Key> keys();

/// The row named `name`, or nullptr.
const Key* find_key(std::string_view name);

/// The names `checks` may list: the check registry's, handed down by the caller, since config
/// sits below the checks (checks::registry::check_names()).
using CheckNames = std::span<const std::string_view>;

/// "INPUT_" + the upper-cased name, hyphens kept (GitHub's runner convention).
std::string input_variable(std::string_view key_name);

}  // namespace ag::config
