// The static lint rules: what a migration file says about itself, read without importing it and
// without a database (docstring, message, empty functions, imports, transaction control, file
// name).
#pragma once

#include <span>

#include "checks/lint/application_modules.h"
#include "checks/lint/migration_file.h"
#include "core/finding.h"
#include "core/rule_info.h"
#include "graph/revision_script.h"
#include "project/project.h"

namespace ag::checks::lint {

/// What the static rules know about the project around the file.
struct StaticContext {
  const project::Project& project;
  const ApplicationModules& modules;
};

/// The findings of every static rule on one migration file, with the rules' default severities.
/// `script` is what the graph read from the file, `file` its statements and comments. A file the
/// lexer could not read to the end (the heads check reports the syntax error) gets none.
Findings static_findings(const graph::RevisionScript& script, const MigrationFile& file,
                         const StaticContext& context);

/// The static rules' catalog: missing-docstring, empty-message, empty-upgrade, empty-downgrade,
/// imports-app-code, commit-inside-migration, filename-mismatch.
std::span<const RuleInfo> static_rules();

}  // namespace ag::checks::lint
