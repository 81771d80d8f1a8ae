// The SQL half of the lint check on a whole project: starting the worker, rendering the upgrade
// SQL of every revision offline, parsing and judging it. Prints the wall time of lint_sql with
// every revision in scope and with the heads only (the earlier ones are read as history either
// way), over several runs; min and median.
//
// usage: lint_sql_bench PROJECT_DIR [RUNS]   (default 3)
// Generate a project with: /usr/bin/python3 bench/gen_roundtrip_history.py OUTDIR N
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "checks/lint/sql_lint.h"
#include "checks/registry/registry.h"
#include "config/command_line.h"
#include "config/resolve.h"
#include "graph/revision_graph.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Timed {
  std::vector<double> seconds;
  size_t findings = 0;
};

void report(const char* what, Timed timed) {
  std::sort(timed.seconds.begin(), timed.seconds.end());
  std::printf("%-28s min %.2f s  median %.2f s  (%zu findings)\n", what, timed.seconds.front(),
              timed.seconds[timed.seconds.size() / 2], timed.findings);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: lint_sql_bench PROJECT_DIR [RUNS]\n");
    return 2;
  }
  int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  const char* args[] = {"lint_sql_bench", "--working-directory", argv[1]};
  auto command_line = ag::config::parse_command_line(3, args);
  auto settings = ag::config::resolve_settings(
      command_line->values, ag::config::process_environment(), ag::checks::registry::check_names());
  if (!settings) {
    std::fprintf(stderr, "%s\n", settings.error().describe().c_str());
    return 2;
  }
  auto project = ag::project::discover(
      *settings, ag::project::find_repository_root(settings->working_directory, ""));
  if (!project) {
    std::fprintf(stderr, "%s\n", project.error().describe().c_str());
    return 2;
  }
  ag::graph::RevisionGraph graph(ag::graph::read_revision_scripts(project->revision_files));
  ag::LogLine log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  ag::sandbox::Workspace workspace(*settings, *project, log);
  ag::config::Environment environment = ag::config::process_environment();
  ag::checks::CheckContext context{*settings, *project, graph, workspace, log, environment};

  std::vector<std::string> all;
  for (const auto& [id, revision] : graph.revisions()) all.push_back(id);
  std::printf("%zu revisions\n", all.size());
  for (const auto& [what, scope] : {std::pair{"every revision in scope", all},
                                    std::pair{"the heads in scope", graph.heads()}}) {
    Timed timed;
    for (int run = 0; run < runs; ++run) {
      auto start = Clock::now();
      timed.findings = ag::checks::lint::lint_sql(context, scope, {}, false).findings.size();
      timed.seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
    report(what, timed);
  }
  return 0;
}
