// A lock_timeout that env.py sets where its offline SQL cannot show it: on the connection of
// run_migrations_online (`connection.execute(text("SET lock_timeout = '5s'"))`,
// `exec_driver_sql(...)`, `connect_args={"options": "-c lock_timeout=5s"}`). Read from env.py's
// source without running it: the string literals, each parsed as PostgreSQL would read it.
#pragma once

#include <optional>
#include <string_view>

#include "util/result.h"

namespace ag::checks::lint {

/// What env.py's source says about lock_timeout.
struct EnvLockTimeout {
  /// A string literal sets a non-zero lock_timeout for the session: SQL (`SET lock_timeout =
  /// '5s'`, `SET SESSION ...`, `SELECT set_config('lock_timeout', '5s', false)`) or libpq
  /// options (`-c lock_timeout=5s`, `--lock_timeout=5s`). SET LOCAL does not count (it ends with
  /// its transaction), nor a value computed at run time (an f-string).
  bool sets = false;
  /// Where the Python lexer stopped reading, when it could not read to the end (the literals
  /// after it were not looked at); nullopt when it could, or when it found one before.
  std::optional<Error> stopped;
};

/// Reads `env_py_source`'s string literals until one sets a lock_timeout.
EnvLockTimeout env_lock_timeout(std::string_view env_py_source);

}  // namespace ag::checks::lint
