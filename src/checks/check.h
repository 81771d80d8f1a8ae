// What every check produces, and what it is given.
#pragma once

#include <span>
#include <string>

#include "checks/rule_info.h"
#include "checks/sandbox.h"
#include "config/raw_value.h"
#include "config/settings.h"
#include "graph/revision_graph.h"
#include "project/project.h"
#include "report/report.h"

namespace ag::checks {

/// Everything a check may read. Checks never print; they return findings.
struct CheckContext {
  const config::Settings& settings;
  const project::Project& project;
  const graph::RevisionGraph& graph;
  Workspace& workspace;    ///< The database side, made on first use.
  const pg::LogLine& log;  ///< Progress and details for the log (stderr), one line at a time.
  const config::Environment& environment;  ///< The run's environment (GITHUB_EVENT_PATH, ...).
};

/// The outcome of a check that could not run because of the infrastructure (exit code 3).
CheckOutcome infrastructure_failure(std::string_view check, const Error& error);

/// Rules no single check owns: infrastructure (infrastructure_failure), and the ones the
/// pipeline reports itself (app/pipeline.cc): check-unavailable and alembic-config.
std::span<const RuleInfo> general_rules();

}  // namespace ag::checks
