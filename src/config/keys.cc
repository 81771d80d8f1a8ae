#include <algorithm>
#include <array>
#include <cctype>

#include "config/settings.h"

namespace ag::config {
namespace {

constexpr std::array<std::string_view, 3> kFailOn = {"error", "warning", "never"};
constexpr std::array<std::string_view, 4> kFormats = {"auto", "text", "github", "json"};
constexpr std::array<std::string_view, 3> kSeverities = {"notice", "warning", "error"};

using S = Settings;

const std::array kKeys = {
    Key{"working-directory",
        ValueType::path,
        ".",
        "Folder of the project (where alembic.ini and the config file are).",
        &S::working_directory,
        {},
        /*allowed_in_file=*/false},
    Key{"alembic-config", ValueType::path, "alembic.ini",
        "Alembic's ini file, relative to working-directory.", &S::alembic_config},
    Key{"checks", ValueType::list, "heads,roundtrip,lint,drift",
        "Comma-separated checks to run; they run in the pipeline's order.", &S::checks},
    Key{"database-url", ValueType::text, "",
        "PostgreSQL server to work on (libpq or SQLAlchemy URL); empty starts an embedded "
        "server. Only scratch databases are written to.",
        &S::database_url},
    Key{"database-url-env", ValueType::list, "DATABASE_URL",
        "Environment variables set to the scratch database's URL for env.py.",
        &S::database_url_env},
    Key{.name = "connect-timeout",
        .type = ValueType::integer,
        .default_value = "60",
        .help = "Seconds to wait for the database server to accept connections.",
        .field = &S::connect_timeout,
        .minimum = 1},
    Key{"allow-configured-database", ValueType::boolean, "false",
        "Without CREATEDB, work in the database of database-url itself, only while it holds "
        "no user objects (it is emptied at the end); runs on one database take turns.",
        &S::allow_configured_database},
    Key{"fail-on", ValueType::choice, "error",
        "Lowest severity that fails the run: error, warning or never.", &S::fail_on, kFailOn},
    Key{"format", ValueType::choice, "auto",
        "Output: auto (github inside GitHub Actions, else text), text, github or json.", &S::format,
        kFormats},
    Key{"json-file", ValueType::path, "", "Also write the JSON report to this file.",
        &S::json_file},
    Key{"sarif-file", ValueType::path, "", "Also write a SARIF 2.1.0 report to this file.",
        &S::sarif_file},
    Key{"sql-file", ValueType::path, "",
        "Also write the SQL of the revisions lint looks at (with pending: the pending ones), "
        "upgrade then downgrade as Alembic prints them offline, to this file.",
        &S::sql_file},
    Key{"python", ValueType::text, "",
        "Python interpreter that runs Alembic; empty: python3 on PATH, then /usr/bin/python3.",
        &S::python},
    Key{"install", ValueType::text, "",
        "Shell command that installs the project's dependencies (e.g. pip install -r "
        "requirements.txt) into a virtual environment with the system's packages, run in "
        "working-directory before the checks; Alembic then runs with that environment's python.",
        &S::install},
    Key{"setup-sql", ValueType::text, "",
        "SQL run in every scratch database before the migrations (CREATE EXTENSION postgis, "
        "CREATE SCHEMA ...), or the name of a .sql file holding it, relative to "
        "working-directory.",
        &S::setup_sql},
    Key{.name = "step-timeout",
        .type = ValueType::integer,
        .default_value = "300",
        .help = "Seconds one migration step may take before it is stopped.",
        .field = &S::step_timeout,
        .minimum = 1},
    Key{"minimum-downgrade-revision", ValueType::text, "",
        "Downgrades stop at this revision (roundtrip).", &S::minimum_downgrade_revision},
    Key{"skip-revisions", ValueType::list, "",
        "Comma-separated revisions stamped instead of run (roundtrip).", &S::skip_revisions},
    Key{"slow-migration-ms", ValueType::integer, "5000",
        "A revision whose upgrade or downgrade takes longer is a warning (roundtrip).",
        &S::slow_migration_ms},
    Key{"roundtrip-jobs", ValueType::integer, "0",
        "Scratch databases the roundtrip judges revisions in at once, each upgrading plainly "
        "through the revisions before its share; 0: one per CPU core (at most 4) from 100 "
        "revisions on; at most 16. 1 when migrations act on roles or tablespaces.",
        &S::roundtrip_jobs},
    Key{"lint-rules", ValueType::list, "all",
        "Lint rules to run, in order: all, rule-id (or +rule-id) adds, -rule-id removes; a list "
        "starting with a removal starts from all.",
        &S::lint_rules},
    Key{"lint-severity", ValueType::list, "",
        "Per-rule severities for lint, e.g. ban-drop-column=warning,prefer-jsonb=error.",
        &S::lint_severity},
    Key{"lint-since", ValueType::text, "",
        "Lint only the revisions after this one (the ones `upgrade <it>:heads` would run).",
        &S::lint_since},
    Key{"target-database-url", ValueType::text, "",
        "The database a deploy is about to migrate (pending): read only, never written; libpq "
        "or SQLAlchemy URL.",
        &S::target_database_url},
    Key{"target-database-url-env", ValueType::text, "",
        "The environment variable holding target-database-url (a secret), when that is empty.",
        &S::target_database_url_env},
    Key{.name = "deploy-large-table-rows",
        .type = ValueType::integer,
        .default_value = "1000000",
        .help = "With pending: a lint finding whose statement locks a table of the target with at "
                "least this many rows (the planner's estimate) becomes an error.",
        .field = &S::deploy_large_table_rows,
        .minimum = 1},
    Key{"drift-strict", ValueType::boolean, "false",
        "Drift also builds the models with metadata.create_all() in a second scratch database "
        "and compares the two catalogs (server defaults, CHECK constraints, enum values, "
        "sequences, index details).",
        &S::drift_strict},
    Key{"drift-strict-severity", ValueType::choice, "warning",
        "Severity of what only drift-strict finds: notice, warning or error.",
        &S::drift_strict_severity, kSeverities},
};

}  // namespace

std::string_view output_format_name(OutputFormat format) {
  switch (format) {
    case OutputFormat::automatic:
      return "auto";
    case OutputFormat::text:
      return "text";
    case OutputFormat::github:
      return "github";
    case OutputFormat::json:
      return "json";
  }
  return "auto";
}

std::span<const Key> keys() {
  return kKeys;
}

const Key* find_key(std::string_view name) {
  auto it = std::find_if(kKeys.begin(), kKeys.end(), [&](const Key& k) { return k.name == name; });
  return it == kKeys.end() ? nullptr : &*it;
}

std::string input_variable(std::string_view key_name) {
  std::string variable = "INPUT_";
  for (char c : key_name)
    variable += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return variable;
}

}  // namespace ag::config
