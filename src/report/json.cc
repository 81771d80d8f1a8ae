#include <nlohmann/json.hpp>

#include "report/reporters.h"
#include "version.h"

namespace ag {
namespace {

nlohmann::json finding_json(const Finding& finding) {
  return {{"check", finding.check},
          {"rule", finding.rule},
          {"severity", severity_name(finding.severity)},
          {"message", finding.message},
          {"file", finding.file},
          {"line", finding.line},
          {"end_line", std::max(finding.end_line, finding.line)},
          {"column", finding.column},
          {"end_column", finding.end_column},
          {"revision", finding.revision},
          {"help", finding.help}};
}

/// Per revision: seconds up and down (null when that step did not run).
nlohmann::json timings_json(const std::vector<RevisionTiming>& timings) {
  nlohmann::json out = nlohmann::json::array();
  auto seconds = [](double value) { return value < 0 ? nlohmann::json() : nlohmann::json(value); };
  for (const RevisionTiming& timing : timings) {
    out.push_back({{"revision", timing.revision},
                   {"upgrade_seconds", seconds(timing.upgrade_seconds)},
                   {"downgrade_seconds", seconds(timing.downgrade_seconds)}});
  }
  return out;
}

/// The deploy gate's reading of the target; `pending` null when it cannot be told.
nlohmann::json deploy_json(const DeployState& deploy) {
  return {{"database", deploy.database},
          {"version_table", deploy.version_table},
          {"current", deploy.current},
          {"heads", deploy.heads},
          {"pending", deploy.pending_known ? nlohmann::json(deploy.pending) : nlohmann::json()},
          {"no_way_back", deploy.no_way_back}};
}

}  // namespace

void write_json(const Report& report, std::ostream& out) {
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckOutcome& check : report.checks) {
    Counts counts = count(check.findings);
    nlohmann::json entry = {{"name", check.name},       {"status", status_name(check.status)},
                            {"seconds", check.seconds}, {"findings", check.findings.size()},
                            {"errors", counts.errors},  {"warnings", counts.warnings},
                            {"notices", counts.notices}};
    if (!check.timings.empty()) entry["revisions"] = timings_json(check.timings);
    if (check.deploy) entry["deploy"] = deploy_json(*check.deploy);
    checks.push_back(std::move(entry));
  }
  nlohmann::json findings = nlohmann::json::array();
  for (const Finding& finding : report.findings())
    findings.push_back(finding_json(located_in_repository(finding)));
  nlohmann::json document = {{"schema_version", 1},
                             {"tool", {{"name", "alembic-gate"}, {"version", kVersion}}},
                             {"project", report.project},
                             {"result", result_name(report)},
                             {"fail_on", fail_on_name(report.fail_on)},
                             {"checks", checks},
                             {"graph",
                              {{"revisions", report.graph.revisions},
                               {"heads", report.graph.heads},
                               {"bases", report.graph.bases},
                               {"merge_points", report.graph.merge_points},
                               {"branch_points", report.graph.branch_points}}},
                             {"findings", findings}};
  // Invalid UTF-8 from a project (a traceback, a file name) must not make the report unwritable.
  out << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace ag
