// Judging a run's offline SQL: every statement, in order, updates what is known (the schema, the
// session); the statements a revision in scope emitted from its own file are judged by the SQL
// rules. No worker and no database here: unit tests feed it SQL directly.
#pragma once

#include <map>
#include <set>
#include <string>

#include "alembic/worker.h"
#include "report/finding.h"

namespace ag::lint {

/// Where findings point: repository-relative paths.
struct SqlSources {
  std::map<std::string, std::string> revision_files;  ///< Revision id -> its file.
  std::string env_py;
};

/// The findings of the SQL rules on `sql` for the revisions in `in_scope` (the others only feed
/// the history), plus an unparsable-sql notice for each text of theirs the parser cannot read.
Findings review_sql(const std::vector<alembic::EmittedSql>& sql, const SqlSources& sources,
                    const std::set<std::string>& in_scope);

}  // namespace ag::lint
