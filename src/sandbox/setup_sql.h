// The setup-sql setting: what a history expects to exist before its first migration (an
// extension, a schema for the version table, a role it grants to), made in every scratch
// database before env.py runs.
#pragma once

#include <string>

#include "config/settings.h"
#include "pg/connection.h"
#include "util/result.h"

namespace ag::sandbox {

/// The SQL setup-sql stands for: its text, or the contents of the .sql file it names (a value
/// without a line break ending in ".sql", relative to working-directory); "" when unset.
/// Errors: the file cannot be read (named, with the setting).
Result<std::string> setup_statements(const config::Settings& settings);

/// Runs setup-sql on `connection` (to the scratch database `database`, as described in
/// messages), if set. Errors name the setting and the database, with the server's message.
Status run_setup_sql(pg::Connection& connection, const config::Settings& settings,
                     const std::string& database);

}  // namespace ag::sandbox
