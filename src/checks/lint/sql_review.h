// Judging a run's offline SQL: every statement, in order, updates what is known (the schema, the
// session); the statements a revision in scope emitted from its own file are judged by the SQL
// rules. No worker and no database here: unit tests feed it SQL directly.
#pragma once

#include <map>
#include <set>
#include <string>

#include "alembic/worker.h"
#include "checks/lint/migration_file.h"
#include "core/finding.h"

namespace ag::checks::lint {

/// Revision id -> its source, as the lint check read it.
using RevisionSources = std::map<std::string, const MigrationFile*>;

/// The files the SQL came from: where findings point (repository-relative paths), and what
/// env.py's source says that its offline SQL cannot show.
struct SqlSources {
  std::map<std::string, std::string> revision_files;  ///< Revision id -> its file.
  std::string env_py;
  /// env.py sets a lock_timeout on its online connection (env_lock_timeout.h): it counts for
  /// the whole run.
  bool env_sets_lock_timeout = false;
  /// Revision id -> its source, for the revisions in scope whose file could be read.
  RevisionSources sources = {};
};

/// The findings of the SQL rules on `sql` for the revisions in `in_scope` (the others only feed
/// the history), plus an unparsable-sql notice for each text of theirs the parser cannot read.
Findings review_sql(const std::vector<alembic::EmittedSql>& sql, const SqlSources& sources,
                    const std::set<std::string>& in_scope);

}  // namespace ag::checks::lint
