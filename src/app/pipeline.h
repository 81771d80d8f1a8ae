// The checks, in pipeline order, on one project.
#pragma once

#include "config/settings.h"
#include "pg/connection.h"
#include "project/project.h"
#include "report/report.h"

namespace ag {

/// Reads the revision graph once and runs every enabled check on it, in pipeline order (heads,
/// lint, roundtrip, drift, whatever order `settings.checks` lists them in). A check this version
/// lacks is reported as unavailable with a notice, never as passed.
/// `log` receives progress and details (tracebacks, retries) as they happen.
Report run_pipeline(const config::Settings& settings, const project::Project& project,
                    const pg::LogLine& log);

/// A report for a project that could not be set up: one failed "project" step with `error`.
Report setup_failure(const config::Settings& settings, const project::Project& partial,
                     const Error& error);

/// A report for a run whose `install` command failed: one "install" step that could not
/// complete (an infrastructure error, exit 3) with `error`.
Report install_failure(const config::Settings& settings, const project::Project& project,
                       const Error& error);

}  // namespace ag
