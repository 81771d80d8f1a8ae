#include "checks/lint/lint.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <tuple>

#include "checks/lint/application_modules.h"
#include "checks/lint/ignores.h"
#include "checks/lint/migration_file.h"
#include "checks/lint/rule_settings.h"
#include "checks/lint/scope.h"
#include "checks/lint/sql_lint.h"
#include "checks/lint/static_rules.h"
#include "checks/lint/table_weight.h"

namespace ag::checks::lint {
namespace {

constexpr std::string_view kCheck = "lint";

/// The migration files read so far, by their path relative to the repository root, with their
/// ignore comments.
class LintedFiles {
 public:
  explicit LintedFiles(const project::Project& project) : project_(project) {}

  struct Entry {
    std::unique_ptr<MigrationFile> file;
    std::unique_ptr<Ignores> ignores;
  };

  /// The file at `path` (absolute), read on first use; nullptr when it cannot be read.
  const Entry* get(const std::filesystem::path& path) {
    std::string relative = project_.relative(path);
    auto it = entries_.find(relative);
    if (it != entries_.end()) return it->second.file ? &it->second : nullptr;
    Entry& entry = entries_[relative];
    Result<std::unique_ptr<MigrationFile>> file = MigrationFile::read(path);
    if (!file) return nullptr;
    entry.file = std::move(*file);
    entry.ignores = std::make_unique<Ignores>(*entry.file, relative, rules());
    return &entry;
  }

  /// The column of the call on the finding's line (the `op` of `op.create_index(`), or 0.
  int call_column(const Finding& finding) {
    if (finding.file.empty() || finding.line <= 0) return 0;
    const Entry* entry = get(project_.repository_root / finding.file);
    return entry == nullptr ? 0 : entry->file->call_column(finding.line);
  }

  /// True when an ignore comment in the finding's file silences it.
  bool ignored(const Finding& finding) {
    if (finding.file.empty()) return false;
    const Entry* entry = get(project_.repository_root / finding.file);
    return entry != nullptr && entry->ignores->covers(finding);
  }

 private:
  const project::Project& project_;
  std::map<std::string, Entry> entries_;
};

/// True when one of `part`'s rules runs: the SQL half (a Python process) is skipped otherwise.
bool any_enabled(const RuleSettings& settings, std::span<const RuleInfo> part) {
  return std::any_of(part.begin(), part.end(),
                     [&](const RuleInfo& rule) { return settings.enabled.contains(rule.id); });
}

/// Whether the run shows the revisions' SQL: a sql-file to write, or a job summary; not when
/// the deploy gate shows the same revisions' SQL already.
bool sql_wanted(const CheckContext& context) {
  if (deploy_state(context) != nullptr) return false;
  return !context.settings.sql_file.empty() ||
         !context.environment("GITHUB_STEP_SUMMARY").value_or("").empty();
}

/// Static and SQL findings of a file together: findings without a file first, then the files
/// in upgrade order (others, such as env.py, before them), each by line.
void sort_for_reading(Findings& findings, const Scope& scope, const CheckContext& context) {
  std::map<std::string, size_t> order;
  for (graph::ScriptIndex index : scope.scripts) {
    order.emplace(context.project.relative(context.graph.scripts()[index].path), order.size() + 1);
  }
  auto rank = [&](const Finding& f) {
    auto it = order.find(f.file);
    size_t file = f.file.empty() ? 0 : it == order.end() ? 1 : 1 + it->second;
    return std::tuple(file, std::string_view(f.file), f.line);
  };
  std::stable_sort(findings.begin(), findings.end(),
                   [&](const Finding& a, const Finding& b) { return rank(a) < rank(b); });
}

}  // namespace

CheckOutcome run(const CheckContext& context) {
  CheckOutcome outcome{.name = std::string(kCheck), .status = CheckStatus::passed};
  Result<RuleSettings> rule_settings =
      read_rule_settings(context.settings.lint_rules, context.settings.lint_severity, rules());
  if (!rule_settings)  // validated at start-up
    return infrastructure_failure(kCheck, rule_settings.error());
  Scope scope = select_scope(context);
  context.log(fmt::format("lint: {}", scope.description));
  Findings found = std::move(scope.findings);
  LintedFiles files(context.project);
  ApplicationModules modules(context.project);
  StaticContext static_context{context.project, modules};
  RevisionSources sources;
  for (graph::ScriptIndex index : scope.scripts) {
    const graph::RevisionScript& script = context.graph.scripts()[index];
    const LintedFiles::Entry* entry = files.get(script.path);
    if (entry == nullptr) continue;  // unreadable: the heads check reports it
    sources[script.id()] = entry->file.get();
    Findings own = static_findings(script, *entry->file, static_context);
    found.insert(found.end(), own.begin(), own.end());
    const Findings& bad = entry->ignores->problems();
    found.insert(found.end(), bad.begin(), bad.end());
  }
  bool review = sql_wanted(context);
  if (review && scope.revisions.empty()) outcome.sql_review = SqlReview{};  // says so
  if (!scope.revisions.empty() && (review || any_enabled(*rule_settings, sql_rules()))) {
    SqlLint sql = lint_sql(context, scope.revisions, sources, review);
    found.insert(found.end(), sql.findings.begin(), sql.findings.end());
    outcome.sql_review = std::move(sql.review);
  }
  size_t before = found.size();
  std::erase_if(found, [&](const Finding& finding) { return files.ignored(finding); });
  if (size_t ignored = before - found.size(); ignored > 0)
    context.log(fmt::format("lint: {} findings silenced by ignore comments", ignored));
  for (Finding& finding : found)
    if (finding.column == 0) finding.column = files.call_column(finding);
  rule_settings->apply(found);
  if (const DeployState* deploy = deploy_state(context)) {
    weigh_by_table_size(found, *deploy, context.settings.deploy_large_table_rows);
  }
  sort_for_reading(found, scope, context);
  outcome.findings = std::move(found);
  return outcome;
}

std::span<const RuleInfo> rules() {
  static const std::vector<RuleInfo> all = [] {
    std::vector<RuleInfo> rules;
    for (std::span<const RuleInfo> part :
         {static_rules(), sql_rules(), ignore_rules(), scope_rules()}) {
      rules.insert(rules.end(), part.begin(), part.end());
    }
    return rules;
  }();
  return all;
}

Status validate_settings(const config::Settings& settings) {
  Result<RuleSettings> rule_settings =
      read_rule_settings(settings.lint_rules, settings.lint_severity, rules());
  if (!rule_settings) return rule_settings.error();
  return ok();
}

}  // namespace ag::checks::lint
