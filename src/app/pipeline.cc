#include "app/pipeline.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "checks/registry/registry.h"
#include "util/stopwatch.h"

namespace ag {
namespace {

CheckOutcome run_check(const checks::registry::CheckEntry& check,
                       const checks::CheckContext& context) {
  Stopwatch stopwatch;
  CheckOutcome outcome = check.run(context);
  outcome.seconds = stopwatch.seconds();
  if (outcome.status == CheckStatus::error) return outcome;
  bool failing =
      std::any_of(outcome.findings.begin(), outcome.findings.end(),
                  [&](const Finding& f) { return fails(f.severity, context.settings.fail_on); });
  if (failing) outcome.status = CheckStatus::failed;
  return outcome;
}

GraphSummary summarize(const graph::RevisionGraph& graph) {
  GraphSummary summary{graph.revisions().size(), graph.heads(),         graph.bases(),
                       graph.merge_points(),     graph.branch_points(), {}};
  for (const auto& [id, revision] : graph.revisions()) {
    summary.nodes.push_back(
        {id, graph.scripts()[revision.script].message, revision.down_revisions});
  }
  return summary;
}

Report empty_report(const config::Settings& settings, const project::Project& project) {
  Report report;
  report.repository_root = project.repository_root;
  report.project = project.relative(project.working_directory);
  report.fail_on = settings.fail_on;
  return report;
}

/// "a", "a and b", "a, b and c".
std::string spoken_list(const std::vector<std::string>& items) {
  if (items.size() < 2) return items.empty() ? "" : items.front();
  std::vector<std::string> head(items.begin(), items.end() - 1);
  return fmt::format("{} and {}", fmt::join(head, ", "), items.back());
}

/// Where each cause's finding is: (check index, finding index).
using FindingAt = std::pair<size_t, size_t>;

/// Whether the finding at `a` is said rather than the one at `b` for their shared cause: the
/// more severe, else the earlier check's.
bool said_rather(const Report& report, FindingAt a, FindingAt b) {
  Severity severity_a = report.checks[a.first].findings[a.second].severity;
  Severity severity_b = report.checks[b.first].findings[b.second].severity;
  return severity_a != severity_b ? severity_a > severity_b : a < b;
}

}  // namespace

void say_each_cause_once(Report& report) {
  std::map<std::string, std::vector<FindingAt>> by_cause;
  for (size_t c = 0; c < report.checks.size(); ++c) {
    const Findings& findings = report.checks[c].findings;
    for (size_t f = 0; f < findings.size(); ++f) {
      if (!findings[f].cause.empty()) by_cause[findings[f].cause].push_back({c, f});
    }
  }
  std::set<FindingAt> dropped;
  for (auto& [cause, places] : by_cause) {
    if (places.size() < 2) continue;
    std::sort(places.begin(), places.end(),
              [&](FindingAt a, FindingAt b) { return said_rather(report, a, b); });
    const std::string& said_by = report.checks[places[0].first].name;
    std::vector<std::string> others;
    for (size_t i = 1; i < places.size(); ++i) {
      dropped.insert(places[i]);
      const std::string& name = report.checks[places[i].first].name;
      if (name != said_by && std::find(others.begin(), others.end(), name) == others.end())
        others.push_back(name);
    }
    if (!others.empty()) {
      report.checks[places[0].first].findings[places[0].second].message +=
          fmt::format(" ({} met the same error)", spoken_list(others));
    }
  }
  for (size_t c = 0; c < report.checks.size(); ++c) {
    Findings& findings = report.checks[c].findings;
    for (size_t f = findings.size(); f-- > 0;) {
      if (dropped.contains({c, f})) findings.erase(findings.begin() + static_cast<long>(f));
    }
  }
}

Report run_pipeline(const config::Settings& settings, const project::Project& project,
                    const LogLine& log, const config::Environment& env,
                    const PipelineObserver& observer) {
  Report report = empty_report(settings, project);
  graph::RevisionGraph graph(graph::read_revision_scripts(project.revision_files));
  report.graph = summarize(graph);
  sandbox::Workspace workspace(settings, project, log);
  checks::CheckContext context{settings, project, graph, workspace, log, env, &report.checks};
  for (const checks::registry::CheckEntry& check : checks::registry::all_checks()) {
    if (std::find(settings.checks.begin(), settings.checks.end(), check.name) ==
        settings.checks.end())
      continue;
    if (observer.started) observer.started(std::string(check.name));
    report.checks.push_back(run_check(check, context));
    if (observer.finished) observer.finished(report.checks.back());
  }
  say_each_cause_once(report);
  return report;
}

Report setup_failure(const config::Settings& settings, const project::Project& partial,
                     const Error& error) {
  Report report = empty_report(settings, partial);
  // Error locations are shown relative to the current directory; findings are repository-relative.
  std::string file =
      error.where.empty() ? "" : partial.relative(std::filesystem::absolute(error.where));
  CheckOutcome outcome{.name = "project", .status = CheckStatus::failed};
  outcome.findings.push_back({.check = "project",
                              .rule = "alembic-config",
                              .severity = Severity::error,
                              .message = error.message,
                              .file = file,
                              .line = error.line,
                              .end_line = error.line});
  report.checks.push_back(std::move(outcome));
  return report;
}

Report install_failure(const config::Settings& settings, const project::Project& project,
                       const Error& error) {
  Report report = empty_report(settings, project);
  CheckOutcome outcome{.name = "install", .status = CheckStatus::error};
  outcome.findings.push_back(
      {.check = "install",
       .rule = "install-failed",
       .severity = Severity::error,
       .message = error.message + "\nNo check ran.",
       .help = "run the command locally in a fresh `python3 -m venv --system-site-packages` to "
               "reproduce"});
  report.checks.push_back(std::move(outcome));
  return report;
}

}  // namespace ag
