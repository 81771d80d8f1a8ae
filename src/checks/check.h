// What every check produces, and what it is given.
#pragma once

#include <span>
#include <string>

#include "config/raw_value.h"
#include "config/settings.h"
#include "core/report.h"
#include "core/rule_info.h"
#include "graph/revision_graph.h"
#include "project/project.h"
#include "sandbox/sandbox.h"

namespace ag::checks {

/// Everything a check may read. Checks never print; they return findings.
struct CheckContext {
  const config::Settings& settings;
  const project::Project& project;
  const graph::RevisionGraph& graph;
  sandbox::Workspace& workspace;  ///< The database side, made on first use.
  const LogLine& log;  ///< Progress and details for the log (stderr), one line at a time.
  const config::Environment& environment;  ///< The run's environment (GITHUB_EVENT_PATH, ...).
};

/// The outcome of a check that could not run because of the infrastructure (exit code 3).
CheckOutcome infrastructure_failure(std::string_view check, const Error& error);

/// Rules no single check owns: infrastructure (infrastructure_failure), the ones the pipeline
/// reports itself (app/pipeline.cc): install-failed and alembic-config; and
/// invalid-setting, which only the job summary and outputs of a usage error carry
/// (app/publish.cc).
std::span<const RuleInfo> general_rules();

}  // namespace ag::checks
