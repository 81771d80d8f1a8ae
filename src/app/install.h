// The `install` setting: the project's own dependencies, installed before the checks into a
// virtual environment whose python then runs Alembic.
#pragma once

#include "config/settings.h"
#include "core/log_line.h"
#include "python/virtual_env.h"

namespace ag {

/// Creates a virtual environment (from `settings.python`, else the first of python3 and
/// /usr/bin/python3 that imports Alembic and SQLAlchemy, else the first that runs) and runs
/// `settings.install` in it with /bin/sh, in settings.working_directory. Its output goes to
/// `log` line by line, as it comes; `group`, when given (in GitHub), receives the ::group:: and
/// ::endgroup:: commands that fold it, to be written as they are. Errors (infrastructure: exit 3):
/// no interpreter, venv failed, the command failed (the message ends with its last lines of
/// output).
Result<python::VirtualEnv> install_dependencies(const config::Settings& settings,
                                                const LogLine& log, const LogLine& group);

}  // namespace ag
