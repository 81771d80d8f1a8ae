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
  /// The outcomes of the checks that ran before this one, in pipeline order (lint reads the
  /// deploy gate's: what will run on the target, and how big its tables are; and the
  /// roundtrip's: what upgrades ran online); may be null.
  const std::vector<CheckOutcome>* earlier = nullptr;
};

/// The deploy gate's reading of the target (an earlier pending check's), or null when it did
/// not run or could not read the database.
const DeployState* deploy_state(const CheckContext& context);

/// What each revision's upgrade ran online, by revision id (an earlier roundtrip's, when lint
/// runs too), or null when no roundtrip ran before.
const std::map<std::string, std::vector<RanStatement>>* ran_sql(const CheckContext& context);

/// The worker's options for offline runs of env.py (lint's SQL, the deploy gate's history):
/// the project, python, step-timeout, and a URL of PostgreSQL's dialect whose port nothing
/// listens on, so that an env.py that connects anyway fails at once, touching no database.
alembic::WorkerOptions offline_worker_options(const CheckContext& context);

/// The outcome of a check that could not run because of the infrastructure (exit code 3).
CheckOutcome infrastructure_failure(std::string_view check, const Error& error);

/// Rules no single check owns: infrastructure (infrastructure_failure), the ones the pipeline
/// reports itself (app/pipeline.cc): install-failed and alembic-config; and
/// invalid-setting, which only the job summary and outputs of a usage error carry
/// (app/publish.cc).
std::span<const RuleInfo> general_rules();

}  // namespace ag::checks
