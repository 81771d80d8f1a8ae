// What every check produces, and what it is given.
#pragma once

#include <string>

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
};

}  // namespace ag::checks
