// The process's exit codes, one meaning each.
#pragma once

namespace ag {

enum class ExitCode : int {
  passed = 0,  ///< Every check passed under the fail-on policy.
  failed = 1,  ///< A check failed under the fail-on policy.
  usage = 2,   ///< Bad flags, settings or project configuration; json-file/sarif-file/sql-file
               ///< unwritable.
  /// Database unreachable, Python or Alembic missing, the install failed, the runner's job
  /// summary or outputs file unwritable, internal error.
  infrastructure = 3,
};

}  // namespace ag
