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
          {"revision", finding.revision},
          {"help", finding.help}};
}

}  // namespace

void write_json(const Report& report, std::ostream& out) {
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckOutcome& check : report.checks) {
    checks.push_back({{"name", check.name},
                      {"status", status_name(check.status)},
                      {"seconds", check.seconds},
                      {"findings", check.findings.size()}});
  }
  nlohmann::json findings = nlohmann::json::array();
  for (const Finding& finding : report.findings()) findings.push_back(finding_json(finding));
  nlohmann::json document = {{"schema_version", 1},
                             {"tool", {{"name", "alembic-gate"}, {"version", kVersion}}},
                             {"project", report.project},
                             {"result", report.failed() ? "failed" : "passed"},
                             {"fail_on", report.fail_on},
                             {"checks", checks},
                             {"graph",
                              {{"revisions", report.graph.revisions},
                               {"heads", report.graph.heads},
                               {"bases", report.graph.bases},
                               {"merge_points", report.graph.merge_points},
                               {"branch_points", report.graph.branch_points}}},
                             {"findings", findings}};
  out << document.dump(2) << "\n";
}

}  // namespace ag
