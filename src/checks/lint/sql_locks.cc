#include "checks/lint/sql_locks.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

namespace ag::checks::lint {
namespace {

using enum LockMode;

class Locks {
 public:
  void take(const TableName& table, LockMode mode) {
    auto held = std::find_if(locks_.begin(), locks_.end(), [&](const TableLock& lock) {
      return lock.table.key() == table.key();
    });
    if (held == locks_.end()) {
      locks_.push_back({table, mode});
    } else {
      held->mode = std::max(held->mode, mode);
    }
  }
  std::vector<TableLock> take_all() { return std::move(locks_); }

 private:
  std::vector<TableLock> locks_;
};

/// The lock an ALTER TABLE subcommand takes; nullopt for one that blocks no reads or writes
/// (SHARE UPDATE EXCLUSIVE). Everything not listed takes ACCESS EXCLUSIVE.
std::optional<LockMode> alter_command_lock(const Node& command) {
  static constexpr std::array<std::string_view, 7> kShareUpdateExclusive = {
      "AT_ValidateConstraint", "AT_SetStatistics", "AT_ClusterOn",   "AT_DropCluster",
      "AT_AttachPartition",    "AT_SetOptions",    "AT_ResetOptions"};
  std::string subtype = text(command, "subtype");
  const Node& definition = child(command, "def");
  if (std::find(kShareUpdateExclusive.begin(), kShareUpdateExclusive.end(), subtype) !=
      kShareUpdateExclusive.end())
    return std::nullopt;
  if (subtype == "AT_DetachPartition" && flag(child(definition, "PartitionCmd"), "concurrent"))
    return std::nullopt;
  if (subtype.find("Trig") != std::string::npos) return share_row_exclusive;  // ENABLE/DISABLE
  if (subtype == "AT_AddConstraint" &&
      text(child(definition, "Constraint"), "contype") == "CONSTR_FOREIGN")
    return share_row_exclusive;
  return access_exclusive;
}

/// A REFERENCES clause locks the table it points at. `item`: {"Constraint": {...}}.
void lock_referenced(const Node& item, Locks& locks) {
  const Node& constraint = child(item, "Constraint");
  if (text(constraint, "contype") == "CONSTR_FOREIGN")
    locks.take(table_name(child(constraint, "pktable")), share_row_exclusive);
}

/// The REFERENCES clauses of a table element or an ALTER TABLE definition: a table constraint
/// itself, or the constraints of a column definition.
void lock_all_referenced(const Node& element, Locks& locks) {
  lock_referenced(element, locks);
  for (const Node& item : items(child(element, "ColumnDef"), "constraints"))
    lock_referenced(item, locks);
}

void alter_table_locks(const Node& alter, Locks& locks) {
  if (text(alter, "objtype") != "OBJECT_TABLE") return;
  std::optional<LockMode> strongest;
  for (const Node& item : items(alter, "cmds")) {
    std::optional<LockMode> mode = alter_command_lock(child(item, "AlterTableCmd"));
    if (mode) strongest = std::max(strongest.value_or(share), *mode);
  }
  if (strongest) locks.take(table_name(child(alter, "relation")), *strongest);
  for (const Node& item : items(alter, "cmds"))
    lock_all_referenced(child(child(item, "AlterTableCmd"), "def"), locks);
}

void create_table_locks(const Node& create, Locks& locks) {
  for (const Node& element : items(create, "tableElts")) lock_all_referenced(element, locks);
}

void drop_locks(const Node& drop, const SchemaModel& schema, Locks& locks) {
  std::string type = text(drop, "removeType");
  for (const Node& object : items(drop, "objects")) {
    TableName name = listed_name(object);
    if (type == "OBJECT_TABLE") locks.take(name, access_exclusive);
    if (type == "OBJECT_INDEX" && !flag(drop, "concurrent")) {
      if (std::optional<TableName> table = schema.index_table(name.name))
        locks.take(*table, access_exclusive);
    }
  }
}

/// REINDEX: SHARE on the table whose indexes it rebuilds (a schema or the database: unknown).
void reindex_locks(const Node& reindex, const SchemaModel& schema, Locks& locks) {
  std::string kind = text(reindex, "kind");
  TableName named = table_name(child(reindex, "relation"));
  if (kind == "REINDEX_OBJECT_TABLE") locks.take(named, share);
  if (kind == "REINDEX_OBJECT_INDEX") {
    if (std::optional<TableName> table = schema.index_table(named.name)) locks.take(*table, share);
  }
}

/// VACUUM FULL: ACCESS EXCLUSIVE on each table it names; a plain VACUUM blocks nothing.
void vacuum_locks(const Node& vacuum, Locks& locks) {
  if (!has_option(vacuum, "options", "full")) return;
  for (const Node& relation : items(vacuum, "rels"))
    locks.take(table_name(child(child(relation, "VacuumRelation"), "relation")), access_exclusive);
}

/// LockStmt's mode is PostgreSQL's LOCKMODE number: 5 SHARE ... 8 ACCESS EXCLUSIVE.
std::optional<LockMode> explicit_mode(int number) {
  if (number < 5 || number > 8) return std::nullopt;
  return static_cast<LockMode>(number - 5);
}

}  // namespace

std::vector<TableLock> blocking_locks(const Node& tree, const SchemaModel& schema) {
  Locks locks;
  std::string kind = kind_of(tree);
  if (kind.empty()) return {};
  const Node& node = tree.begin().value();
  if (kind == "IndexStmt" && !flag(node, "concurrent")) {
    locks.take(table_name(child(node, "relation")), share);
  } else if (kind == "AlterTableStmt") {
    alter_table_locks(node, locks);
  } else if (kind == "CreateStmt") {
    create_table_locks(node, locks);
  } else if (kind == "DropStmt") {
    drop_locks(node, schema, locks);
  } else if (kind == "RenameStmt") {
    std::string type = text(node, "renameType");
    if (type == "OBJECT_TABLE" || type == "OBJECT_COLUMN" || type == "OBJECT_TABCONSTRAINT")
      locks.take(table_name(child(node, "relation")), access_exclusive);
  } else if (kind == "TruncateStmt") {
    for (const Node& relation : items(node, "relations"))
      locks.take(table_name(child(relation, "RangeVar")), access_exclusive);
  } else if (kind == "ReindexStmt" && !has_option(node, "params", "concurrently")) {
    reindex_locks(node, schema, locks);
  } else if (kind == "ClusterStmt" && !child(node, "relation").empty()) {
    locks.take(table_name(child(node, "relation")), access_exclusive);
  } else if (kind == "VacuumStmt") {
    vacuum_locks(node, locks);
  } else if (kind == "CreateTrigStmt") {
    locks.take(table_name(child(node, "relation")), share_row_exclusive);
  } else if (kind == "LockStmt") {
    if (std::optional<LockMode> mode = explicit_mode(node.value("mode", 0))) {
      for (const Node& relation : items(node, "relations"))
        locks.take(table_name(child(relation, "RangeVar")), *mode);
    }
  }
  return locks.take_all();
}

std::string_view lock_name(LockMode mode) {
  switch (mode) {
    case share:
      return "SHARE";
    case share_row_exclusive:
      return "SHARE ROW EXCLUSIVE";
    case exclusive:
      return "EXCLUSIVE";
    case access_exclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "";
}

std::string_view lock_blocks(LockMode mode) {
  return mode == access_exclusive ? "reads and writes" : "writes";
}

}  // namespace ag::checks::lint
