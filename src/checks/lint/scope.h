// Which migration files the lint check looks at.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "checks/check.h"
#include "core/rule_info.h"

namespace ag::checks::lint {

struct Scope {
  std::vector<graph::ScriptIndex> scripts;  ///< Upgrade order; files without a readable id last.
  std::vector<std::string> revisions;       ///< Their ids in upgrade order: the SQL half's range.
  std::string description;                  ///< For the log, e.g. "2 of 40 revision files".
  Findings findings;                        ///< lint-scope, lint-since-unknown.
};

/// Every revision file, narrowed by two things when they apply (both when both do):
/// - lint-since=<revision> (an id or a unique prefix): only the revisions a database at that
///   revision has not applied yet (the ones `alembic upgrade <revision>:heads` would run);
///   files without a readable id are left out. An unknown revision is an error finding and
///   nothing is linted.
/// - a pull request (GITHUB_EVENT_PATH names pull_request.base.sha): only the files the pull
///   request adds or changes, from git. When git cannot tell (no git, a shallow clone without
///   the base commit), every file, with a lint-scope notice saying why.
Scope select_scope(const checks::CheckContext& context);

/// lint-scope and lint-since-unknown.
std::span<const RuleInfo> scope_rules();

}  // namespace ag::checks::lint
