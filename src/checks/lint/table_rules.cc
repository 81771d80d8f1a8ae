// ban-drop-table, renaming-table, ban-truncate-cascade, require-concurrent-partition-detach,
// ban-cluster, ban-vacuum-full, require-lock-timeout.
#include <fmt/format.h>
#include <fmt/ranges.h>

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

/// The existing tables among `relations` (a list of {"RangeVar": ...}), as messages list them.
std::vector<std::string> existing_tables(const Judgement& judgement, const Node& relations) {
  std::vector<std::string> tables;
  for (const Node& relation : relations) {
    TableName table = table_name(child(relation, "RangeVar"));
    if (judgement.existing(table)) tables.push_back(table.display());
  }
  return tables;
}

void truncate_cascade(const Judgement& judgement, const Node& truncate) {
  if (text(truncate, "behavior") != "DROP_CASCADE") return;
  std::vector<std::string> tables = existing_tables(judgement, items(truncate, "relations"));
  if (tables.empty()) return;
  judgement.report(
      "ban-truncate-cascade",
      fmt::format("TRUNCATE {} CASCADE also empties every table with a foreign key to it, and "
                  "theirs in turn, under ACCESS EXCLUSIVE locks: rows of tables the migration "
                  "never names are deleted for good",
                  fmt::join(tables, ", ")),
      fmt::format("name every table to empty, without CASCADE: `op.execute(\"TRUNCATE {}, "
                  "<the referencing tables>\")`; PostgreSQL then refuses while another table "
                  "still references them, instead of emptying it",
                  fmt::join(tables, ", ")));
}

/// ALTER TABLE ... DETACH PARTITION without CONCURRENTLY, on an existing partitioned table.
void detach_partition(const Judgement& judgement, const Node& alter) {
  TableName parent = table_name(child(alter, "relation"));
  if (!judgement.existing(parent)) return;
  for (const Node& item : items(alter, "cmds")) {
    const Node& command = child(item, "AlterTableCmd");
    const Node& partition = child(child(command, "def"), "PartitionCmd");
    if (text(command, "subtype") != "AT_DetachPartition" || flag(partition, "concurrent")) continue;
    TableName detached = table_name(child(partition, "name"));
    judgement.report(
        "require-concurrent-partition-detach",
        fmt::format("DETACH PARTITION {} takes an ACCESS EXCLUSIVE lock on {}: all reads and "
                    "writes of the partitioned table wait while it waits for running queries",
                    detached.display(), parent.display()),
        fmt::format("on PostgreSQL 14+, detach it without blocking, outside the migration's "
                    "transaction: `with op.get_context().autocommit_block(): "
                    "op.execute(\"ALTER TABLE {} DETACH PARTITION {} CONCURRENTLY\")`",
                    parent.display(), detached.display()));
  }
}

constexpr std::string_view kRewriteHelp =
    "keep physical maintenance out of migrations: rebuild the table online with pg_repack, or run "
    "it in a maintenance window; if it must stay, say why: `# alembic-gate: ignore[{}] <why>`";

/// CLUSTER: the table (all the clustered ones when none is named) rewritten in index order.
void cluster(const Judgement& judgement, const Node& cluster) {
  const Node& relation = child(cluster, "relation");
  std::string target = "every table clustered before";
  if (!relation.empty()) {
    TableName table = table_name(relation);
    if (!judgement.existing(table)) return;
    target = table.display();
  }
  judgement.report(
      "ban-cluster",
      fmt::format("CLUSTER rewrites {} under an ACCESS EXCLUSIVE lock: all reads and writes of "
                  "it wait until the whole table is copied and its indexes rebuilt",
                  target),
      fmt::format(fmt::runtime(kRewriteHelp), "ban-cluster"));
}

/// VACUUM FULL: each table named (every table when none is) rewritten.
void vacuum_full(const Judgement& judgement, const Node& vacuum) {
  if (!has_option(vacuum, "options", "full")) return;
  std::vector<std::string> tables;
  for (const Node& relation : items(vacuum, "rels")) {
    TableName table = table_name(child(child(relation, "VacuumRelation"), "relation"));
    if (judgement.existing(table)) tables.push_back(table.display());
  }
  if (tables.empty() && !items(vacuum, "rels").empty()) return;
  std::string target =
      tables.empty() ? "every table of the database" : fmt::format("{}", fmt::join(tables, ", "));
  judgement.report(
      "ban-vacuum-full",
      fmt::format("VACUUM FULL rewrites {} under an ACCESS EXCLUSIVE lock: all reads and writes "
                  "of it wait until the whole table is copied and its indexes rebuilt{}",
                  target,
                  judgement.session.in_transaction()
                      ? "; and VACUUM cannot run inside a transaction block, so this migration "
                        "fails here"
                      : ""),
      fmt::format(fmt::runtime(kRewriteHelp), "ban-vacuum-full"));
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
  if (kind == "ReindexStmt") return "REINDEX";
  if (kind == "ClusterStmt") return "CLUSTER";
  if (kind == "VacuumStmt") return "VACUUM FULL";
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
  if (kind == "TruncateStmt") truncate_cascade(judgement, node);
  if (kind == "AlterTableStmt") detach_partition(judgement, node);
  if (kind == "ClusterStmt") cluster(judgement, node);
  if (kind == "VacuumStmt") vacuum_full(judgement, node);
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
