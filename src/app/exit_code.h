// The process's exit codes, one meaning each.
#pragma once

namespace ag {

enum class ExitCode : int {
  passed = 0,          ///< Every check passed under the fail-on policy.
  failed = 1,          ///< A check failed under the fail-on policy.
  usage = 2,           ///< Bad flags, settings or project configuration.
  infrastructure = 3,  ///< Database unreachable, Python or Alembic missing, internal error.
};

}  // namespace ag
