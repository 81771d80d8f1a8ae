// The checks, in pipeline order, on one project.
#pragma once

#include <functional>
#include <string>

#include "config/raw_value.h"
#include "config/settings.h"
#include "core/log_line.h"
#include "core/report.h"
#include "project/project.h"

namespace ag {

/// Told as each check starts and ends (progress lines); both may be empty.
struct PipelineObserver {
  std::function<void(const std::string& check)> started;
  std::function<void(const CheckOutcome& outcome)> finished;
};

/// Reads the revision graph once and runs every enabled check on it, in pipeline order (heads,
/// pending, roundtrip, lint, drift, whatever order `settings.checks` lists them in).
/// `log` receives progress and details (tracebacks, retries) as they happen; `env` is the run's
/// environment (the lint check reads the pull request's event file from it).
/// One finding per cause (Finding::cause): a module env.py imports that is missing is met by every
/// check that runs env.py, and one message about it is enough. The most severe finding (the
/// earliest check's among equals) stays and names the other checks that met it; the others go.
void say_each_cause_once(Report& report);

Report run_pipeline(const config::Settings& settings, const project::Project& project,
                    const LogLine& log, const config::Environment& env,
                    const PipelineObserver& observer = {});

/// A report for a project that could not be set up: one failed "project" step with `error`.
Report setup_failure(const config::Settings& settings, const project::Project& partial,
                     const Error& error);

/// A report for a run whose `install` command failed: one "install" step that could not
/// complete (an infrastructure error, exit 3) with `error`.
Report install_failure(const config::Settings& settings, const project::Project& project,
                       const Error& error);

}  // namespace ag
