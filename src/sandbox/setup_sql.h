// The setup-sql setting: what a history expects to exist before its first migration (an
// extension, a schema for the version table, a role it grants to), made in every scratch
// database before env.py runs.
#pragma once

#include <string>

#include "config/settings.h"
#include "pg/connection.h"
#include "util/result.h"

namespace ag::sandbox {

/// The SQL setup-sql stands for: its text, or the contents of the file it names (a value without
/// blanks that ends in ".sql", in any case, or names an existing file, relative to
/// working-directory; it must exist before the run, not be made by `install`); "" when unset.
/// Errors: the file cannot be read (named, with the setting).
Result<std::string> setup_statements(const config::Settings& settings);

/// Runs setup-sql, if set, in the scratch database `params` names (`database` describes it in
/// messages), on a session of its own that ends with it, so that nothing it sets (a role, a
/// search_path) stays; within step-timeout. Errors name the setting and the database, with the
/// server's message; SQL that leaves a transaction open is refused (what it made would be
/// rolled back, and the migrations would not find it).
Status run_setup_sql(const pg::ConnectionParams& params, const pg::ConnectOptions& connect,
                     const config::Settings& settings, const std::string& database);

}  // namespace ag::sandbox
