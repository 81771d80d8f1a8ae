// ban-drop-table, renaming-table, require-lock-timeout.
#include <fmt/format.h>

#include "checks/lint/sql_locks.h"
#include "checks/lint/sql_rules.h"

namespace ag::checks::lint {
namespace {

void drop_tables(const Judgement& judgement, const Node& drop) {
  for (const Node& object : items(drop, "objects")) {
    TableName table = listed_name(object);
    if (!judgement.existing(table)) continue;
    judgement.report(
        "ban-drop-table",
        fmt::format("DROP TABLE {} deletes its data for good and breaks every running instance "
                    "of the application that still uses it",
                    table.display()),
        fmt::format("stop using it first: remove {0}'s model and deploy that; then drop it in a "
                    "later release and say so: `op.drop_table(\"{1}\"{2})  # alembic-gate: "
                    "ignore[ban-drop-table] unused since <release>`",
                    table.display(), table.name, schema_keyword(table)));
  }
}

void rename_table(const Judgement& judgement, const Node& rename) {
  TableName table = table_name(child(rename, "relation"));
  if (!judgement.existing(table)) return;
  std::string new_name = text(rename, "newname");
  judgement.report(
      "renaming-table",
      fmt::format("renaming table {} to {} breaks every running instance of the application "
                  "that still uses the old name, until the new code is everywhere",
                  table.display(), new_name),
      fmt::format("keep the old name working during the transition: after the rename, "
                  "`op.execute(\"CREATE VIEW {} AS SELECT * FROM {}\")`, and drop the view in a "
                  "later release",
                  table.display(), new_name));
}

/// How a message names the statement: "CREATE INDEX", "ALTER TABLE", ...
std::string statement_name(const Statement& statement) {
  std::string kind = statement.kind();
  const Node& node = statement.node();
  if (kind == "IndexStmt") return "CREATE INDEX";
  if (kind == "CreateStmt") return "CREATE TABLE";
  if (kind == "TruncateStmt") return "TRUNCATE";
  if (kind == "CreateTrigStmt") return "CREATE TRIGGER";
  if (kind == "LockStmt") return "LOCK TABLE";
  if (kind == "DropStmt")
    return text(node, "removeType") == "OBJECT_INDEX" ? "DROP INDEX" : "DROP TABLE";
  return "ALTER TABLE";
}

}  // namespace

void judge_tables(const Judgement& judgement) {
  std::string kind = judgement.statement.kind();
  const Node& node = judgement.statement.node();
  if (kind == "DropStmt" && text(node, "removeType") == "OBJECT_TABLE")
    drop_tables(judgement, node);
  if (kind == "RenameStmt" && text(node, "renameType") == "OBJECT_TABLE")
    rename_table(judgement, node);
}

bool judge_lock_timeout(const Judgement& judgement) {
  if (judgement.session.lock_timeout_set()) return false;
  for (const TableLock& lock : blocking_locks(judgement.statement.tree, judgement.schema)) {
    if (!judgement.existing(lock.table)) continue;
    judgement.report(
        "require-lock-timeout",
        fmt::format(
            "{} needs {} {} lock on existing table {} and no lock_timeout is set: while "
            "it waits behind a long-running transaction, all later {} of {} wait behind "
            "it",
            statement_name(judgement.statement),
            lock.mode == LockMode::share || lock.mode == LockMode::share_row_exclusive ? "a" : "an",
            lock_name(lock.mode), lock.table.display(), lock_blocks(lock.mode),
            lock.table.display()),
        "give up instead of stalling the application: `op.execute(\"SET lock_timeout = '5s'\")` "
        "at the start of upgrade(), or once for every migration in env.py: "
        "`context.execute(\"SET lock_timeout = '5s'\")` inside `with "
        "context.begin_transaction():` before `context.run_migrations()`");
    return true;
  }
  return false;
}

}  // namespace ag::checks::lint
