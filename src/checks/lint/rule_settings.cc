#include "checks/lint/rule_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "util/text.h"

namespace ag::checks::lint {
namespace {

bool known(std::span<const RuleInfo> catalog, std::string_view id) {
  return std::any_of(catalog.begin(), catalog.end(),
                     [&](const RuleInfo& rule) { return rule.id == id; });
}

Error unknown_rule(std::string_view setting, std::string_view id) {
  return Error{
      fmt::format("{}: '{}' is not a lint rule (docs/rules/README.md lists them)", setting, id)};
}

std::optional<Severity> severity_named(std::string_view name) {
  for (Severity severity : {Severity::error, Severity::warning, Severity::notice}) {
    if (severity_name(severity) == name) return severity;
  }
  return std::nullopt;
}

}  // namespace

void RuleSettings::apply(Findings& findings) const {
  std::erase_if(findings, [&](const Finding& f) { return !enabled.contains(f.rule); });
  for (Finding& finding : findings) {
    if (auto it = severity.find(finding.rule); it != severity.end()) finding.severity = it->second;
  }
}

Result<RuleSettings> read_rule_settings(const std::vector<std::string>& rules,
                                        const std::vector<std::string>& severities,
                                        std::span<const RuleInfo> catalog) {
  RuleSettings settings;
  if (rules.empty() || rules.front().starts_with("-")) {
    for (const RuleInfo& rule : catalog) settings.enabled.emplace(rule.id);
  }
  for (const std::string& item : rules) {
    if (item == "all") {
      for (const RuleInfo& rule : catalog) settings.enabled.emplace(rule.id);
      continue;
    }
    bool remove = item.starts_with("-");
    std::string id(trim(item.starts_with("-") || item.starts_with("+") ? item.substr(1) : item));
    if (!known(catalog, id)) return unknown_rule("lint-rules", id);
    if (remove) {
      settings.enabled.erase(id);
    } else {
      settings.enabled.insert(id);
    }
  }
  for (const std::string& item : severities) {
    size_t equals = item.find('=');
    std::string id(trim(item.substr(0, equals)));
    if (equals == std::string::npos) {
      return Error{
          fmt::format("lint-severity: '{}' should be rule-id=severity, e.g. "
                      "ban-drop-column=warning",
                      item)};
    }
    if (!known(catalog, id)) return unknown_rule("lint-severity", id);
    std::string name = lower(trim(item.substr(equals + 1)));
    std::optional<Severity> severity = severity_named(name);
    if (!severity) {
      return Error{
          fmt::format("lint-severity: '{}' for {} is not a severity: use error, warning "
                      "or notice",
                      name, id)};
    }
    settings.severity[id] = *severity;
  }
  return settings;
}

}  // namespace ag::checks::lint
