// One invocation of alembic-gate, from argv to exit code.
#pragma once

#include <ostream>

#include "app/exit_code.h"
#include "config/raw_value.h"

namespace ag {

/// Parses flags, resolves settings (flags > inputs in `env` > config file > defaults), discovers
/// the project, runs the pipeline and writes the report to `out` (and the report files).
/// Usage and configuration errors go to `err` as one line naming the key and its source.
ExitCode run(int argc, const char* const* argv, const config::Environment& env, std::ostream& out,
             std::ostream& err);

}  // namespace ag
