#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "report/reporters.h"
#include "util/text.h"
#include "version.h"

namespace ag {
namespace {

using nlohmann::json;

std::string_view level(Severity severity) {
  return severity == Severity::notice ? "note" : severity_name(severity);
}

/// SARIF rejects empty strings in required texts.
std::string text_or(std::string_view text, std::string_view fallback) {
  return std::string(text.empty() ? fallback : text);
}

json rule_json(std::string_view id, std::string_view check, Severity severity,
               std::string_view summary, std::string_view description, std::string_view help) {
  return {{"id", id},
          {"shortDescription", {{"text", text_or(summary, id)}}},
          {"fullDescription", {{"text", text_or(description, text_or(summary, id))}}},
          {"help", {{"text", text_or(help, text_or(summary, id))}}},
          {"defaultConfiguration", {{"level", level(severity)}}},
          {"properties", {{"tags", json::array({"alembic", text_or(check, "alembic-gate")})}}}};
}

/// The finding's rule id; "unknown" for none (SARIF rejects empty strings).
std::string rule_id(const Finding& finding) {
  return text_or(finding.rule, "unknown");
}

/// The driver's rules: the whole catalog, then a rule made from the finding's own text for any id
/// the catalog lacks.
class Rules {
 public:
  explicit Rules(std::span<const RuleInfo> catalog) {
    for (const RuleInfo& rule : catalog) {
      add(rule.id,
          rule_json(rule.id, rule.check, rule.severity, rule.summary, rule.description, rule.help));
    }
  }

  size_t index_of(const Finding& finding) {
    std::string id = rule_id(finding);
    auto it = index_.find(id);
    if (it != index_.end()) return it->second;
    return add(id, rule_json(id, finding.check, finding.severity, shorten(finding.message, 200),
                             finding.message, finding.help));
  }

  json take() { return std::move(rules_); }

 private:
  json rules_ = json::array();
  std::map<std::string, size_t, std::less<>> index_;

  size_t add(std::string_view id, json rule) {
    rules_.push_back(std::move(rule));
    return index_[std::string(id)] = rules_.size() - 1;
  }
};

std::string message_of(const Finding& finding) {
  std::string text = text_or(finding.message, text_or(finding.rule, "alembic-gate finding"));
  if (!finding.help.empty()) text += "\n\nHow to fix: " + finding.help;
  return text;
}

/// Where in the file; line 1 when the line is unknown (code scanning requires a startLine for
/// a file's location, and shows the alert at the top of the file).
json region_of(const Finding& finding) {
  if (finding.line <= 0) return {{"startLine", 1}};
  json region = {{"startLine", finding.line}};
  int end_line = std::max(finding.end_line, finding.line);
  if (end_line > finding.line) region["endLine"] = end_line;
  if (finding.column > 0) {
    region["startColumn"] = finding.column;
    if (finding.end_column > 0) region["endColumn"] = finding.end_column + 1;  // exclusive
  }
  return region;
}

json result_json(const Finding& finding, size_t rule_index) {
  json location = {{"artifactLocation", {{"uri", uri_path(finding.file)}}},
                   {"region", region_of(finding)}};
  json properties = {{"check", finding.check}};
  if (!finding.revision.empty()) properties["revision"] = finding.revision;
  return {{"ruleId", rule_id(finding)},
          {"ruleIndex", rule_index},
          {"level", level(finding.severity)},
          {"message", {{"text", message_of(finding)}}},
          {"locations", json::array({{{"physicalLocation", location}}})},
          {"properties", properties}};
}

}  // namespace

std::string uri_path(std::string_view path) {
  std::string uri;
  for (size_t start = 0; start <= path.size();) {
    size_t slash = std::min(path.find('/', start), path.size());
    if (start > 0) uri += '/';
    uri += percent_encode(path.substr(start, slash - start));
    start = slash + 1;
  }
  return uri;
}

void write_sarif(const Report& report, std::span<const RuleInfo> catalog, std::ostream& out) {
  Rules rules(catalog);
  json results = json::array();
  json notifications = json::array();
  for (const Finding& original : report.findings()) {
    Finding finding = located_in_repository(original);
    size_t rule = rules.index_of(finding);
    if (finding.file.empty()) {  // code scanning needs a location: this is about the run
      notifications.push_back({{"level", level(finding.severity)},
                               {"message", {{"text", message_of(finding)}}},
                               {"descriptor", {{"id", rule_id(finding)}}}});
    } else {
      results.push_back(result_json(finding, rule));
    }
  }
  json invocation = {{"executionSuccessful", !report.broken()}};
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = notifications;
  json driver = {{"name", "alembic-gate"},
                 {"version", kVersion},
                 {"semanticVersion", kVersion},
                 {"rules", rules.take()}};
  json document = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                   {"version", "2.1.0"},
                   {"runs", json::array({{{"tool", {{"driver", driver}}},
                                          {"invocations", json::array({invocation})},
                                          {"results", results}}})}};
  out << document.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

}  // namespace ag
