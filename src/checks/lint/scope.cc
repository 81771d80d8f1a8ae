#include "checks/lint/scope.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <set>

#include "checks/lint/pull_request.h"
#include "graph/upgrade_order.h"

namespace ag::checks::lint {
namespace fs = std::filesystem;
namespace {

constexpr std::array kRules = {
    RuleInfo{
        "lint-scope", "lint", Severity::notice,
        "the pull request's own migrations could not be told apart",
        "In a pull request the lint check looks only at the migration files the pull request "
        "adds or changes, which git tells from the base commit. When the clone lacks that commit "
        "(actions/checkout fetches one commit by default), git is missing, or the event file "
        "cannot be read, every file is linted.",
        "give actions/checkout `fetch-depth: 0`, or set lint-since"},
    RuleInfo{"lint-since-unknown", "lint", Severity::error,
             "lint-since names no revision of the history",
             "lint-since must name a revision (its id or a unique prefix of it); nothing "
             "is linted while it names none.",
             "set lint-since to an existing revision id"},
};

/// Every script index: the revisions in upgrade order, then the files the map left out (no
/// readable id, or a duplicate that lost).
std::vector<graph::ScriptIndex> all_scripts(const graph::RevisionGraph& graph) {
  std::vector<graph::ScriptIndex> scripts;
  std::vector<bool> placed(graph.scripts().size(), false);
  for (const std::string& id : graph::upgrade_order(graph)) {
    graph::ScriptIndex index = graph.revisions().at(id).script;
    scripts.push_back(index);
    placed[index] = true;
  }
  for (graph::ScriptIndex i = 0; i < placed.size(); ++i) {
    if (!placed[i]) scripts.push_back(i);
  }
  return scripts;
}

fs::path comparable(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? path.lexically_normal() : canonical;
}

class ScopeSelector {
 public:
  explicit ScopeSelector(const checks::CheckContext& context)
      : context_(context), graph_(context.graph) {}

  Scope select() {
    scope_.scripts = all_scripts(graph_);
    size_t total = scope_.scripts.size();
    if (const DeployState* deploy = deploy_state(context_)) return what_deploy_runs(*deploy);
    std::vector<std::string> reasons;
    if (!context_.settings.lint_since.empty() && !after_since()) return std::move(scope_);
    if (!context_.settings.lint_since.empty())
      reasons.push_back("after " + context_.settings.lint_since);
    Result<std::optional<std::string>> base = pull_request_base(context_.environment);
    if (!base) {
      add("lint-scope", Severity::notice,
          fmt::format("cannot tell whether this is a pull request: {}; every revision file was "
                      "linted",
                      base.error().message),
          "GitHub's runner writes the event file itself: check that nothing in the workflow "
          "changes GITHUB_EVENT_PATH or the file it names");
    } else if (*base && in_pull_request(**base)) {
      reasons.push_back("added or changed by the pull request");
    }
    list_revisions();
    scope_.description = reasons.empty()
                             ? fmt::format("all {} revision files", total)
                             : fmt::format("{} of {} revision files ({})", scope_.scripts.size(),
                                           total, fmt::join(reasons, "; "));
    return std::move(scope_);
  }

 private:
  const checks::CheckContext& context_;
  const graph::RevisionGraph& graph_;
  Scope scope_;

  void add(std::string_view rule, Severity severity, std::string message, std::string help) {
    scope_.findings.push_back({.check = "lint",
                               .rule = std::string(rule),
                               .severity = severity,
                               .message = std::move(message),
                               .help = std::move(help)});
  }

  /// The ids of the scripts in scope, for the SQL half (a duplicate id's second file has none).
  void list_revisions() {
    for (graph::ScriptIndex index : scope_.scripts) {
      const std::string& id = graph_.scripts()[index].id();
      const graph::Revision* revision = graph_.find(id);
      if (revision != nullptr && revision->script == index) scope_.revisions.push_back(id);
    }
  }

  /// The revisions the deploy will run, in place of every other scope.
  Scope what_deploy_runs(const DeployState& deploy) {
    std::set<std::string> pending(deploy.pending.begin(), deploy.pending.end());
    std::erase_if(scope_.scripts, [&](graph::ScriptIndex index) {
      return !pending.contains(graph_.scripts()[index].id());
    });
    list_revisions();
    scope_.description =
        deploy.pending_known
            ? fmt::format("the {} revision files the deploy will run on {}", scope_.scripts.size(),
                          deploy.database)
            : fmt::format("nothing: what the deploy would run on {} cannot be told",
                          deploy.database);
    return std::move(scope_);
  }

  bool after_since() {
    const std::string& since = context_.settings.lint_since;
    std::string id = graph::resolve_revision(graph_, since);
    if (id.empty()) {
      add("lint-since-unknown", Severity::error,
          fmt::format("lint-since is '{}', which is no revision of this history (or a prefix of "
                      "several); nothing was linted",
                      since),
          "set lint-since to an existing revision id");
      scope_.scripts.clear();
      scope_.description = "nothing (lint-since names no revision)";
      return false;
    }
    std::set<std::string> applied = graph::applied_at(graph_, id);
    std::erase_if(scope_.scripts, [&](graph::ScriptIndex index) {
      const std::string& script_id = graph_.scripts()[index].id();
      return script_id.empty() || applied.contains(script_id);
    });
    return true;
  }

  /// Narrows the scope to the files the pull request touches; false (and a notice) when git
  /// cannot tell.
  bool in_pull_request(const std::string& base) {
    Result<std::vector<fs::path>> changed = changed_files(context_.project.working_directory, base);
    if (!changed) {
      add("lint-scope", Severity::notice,
          fmt::format("this is a pull request, but git cannot tell which migrations it adds or "
                      "changes ({}); every revision file was linted",
                      changed.error().message),
          "give actions/checkout `fetch-depth: 0` so that the base commit is in the clone, or set "
          "lint-since");
      return false;
    }
    std::set<fs::path> touched;
    for (const fs::path& file : *changed) touched.insert(comparable(file));
    std::erase_if(scope_.scripts, [&](graph::ScriptIndex index) {
      return !touched.contains(comparable(graph_.scripts()[index].path));
    });
    return true;
  }
};

}  // namespace

Scope select_scope(const checks::CheckContext& context) {
  return ScopeSelector(context).select();
}

std::span<const RuleInfo> scope_rules() {
  return kRules;
}

}  // namespace ag::checks::lint
