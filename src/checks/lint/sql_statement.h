// A statement of a revision's offline SQL, parsed, with the place in the migration that emitted
// it: what the SQL rules judge.
#pragma once

#include <string>
#include <vector>

#include "alembic/worker.h"
#include "checks/lint/migration_file.h"
#include "checks/lint/sql_tree.h"

namespace ag::checks::lint {

struct Statement {
  std::string text;      ///< The statement as Alembic printed it.
  Node tree;             ///< One parse tree node, e.g. {"IndexStmt": {...}}.
  std::string revision;  ///< The revision being upgraded; empty before the first.
  alembic::SqlOrigin origin = alembic::SqlOrigin::alembic;
  std::string file;  ///< Repository-relative: the revision file or env.py; empty for Alembic's.
  int line = 0;      ///< Of the `op.` call (or the env.py line) that emitted it.
  /// Names SQLAlchemy refused to render here (a real run raises IdentifierError).
  std::vector<std::string> refused_identifiers{};
  /// The revision's source, when read: what the `op.` call at `line` says that its SQL does
  /// not (op.drop_index's table_name). Null for env.py's and Alembic's statements.
  const MigrationFile* source = nullptr;

  /// "IndexStmt", "AlterTableStmt", ...
  std::string kind() const { return kind_of(tree); }
  /// The node under the kind: tree[kind()].
  const Node& node() const { return tree.begin().value(); }
};

}  // namespace ag::checks::lint
