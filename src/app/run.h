// One invocation of alembic-gate, from argv to exit code.
#pragma once

#include <ostream>

#include "app/exit_code.h"
#include "config/raw_value.h"

namespace ag {

/// Parses flags, resolves settings (flags > inputs in `env` > config file > defaults), discovers
/// the project, runs the pipeline and writes the report to `out` (and the report files, the job
/// summary and the step outputs). Usage and configuration errors go to `err` as one line naming
/// the key and its source. The credentials in database-url are masked for GitHub before anything
/// is printed and replaced by *** in everything written. `out_is_terminal`: the text format may
/// use colours (unless NO_COLOR or --no-color).
ExitCode run(int argc, const char* const* argv, const config::Environment& env, std::ostream& out,
             std::ostream& err, bool out_is_terminal = false);

}  // namespace ag
