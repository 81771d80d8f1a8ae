// require-concurrent-index-creation, require-concurrent-index-deletion,
// require-concurrent-reindex, concurrently-in-transaction.
#include <fmt/format.h>

#include "checks/lint/sql_rules.h"

namespace ag::checks::lint {
namespace {

constexpr std::string_view kAutocommitHelp =
    "run it in an autocommit block, which commits the migration's transaction first: `with "
    "op.get_context().autocommit_block(): {}`";

void concurrently_in_transaction(const Judgement& judgement, std::string_view operation,
                                 const std::string& alembic_call) {
  judgement.report(
      "concurrently-in-transaction",
      fmt::format("{} cannot run inside a transaction block, so this migration fails here with "
                  "\"{} cannot run inside a transaction block\"",
                  operation, operation),
      fmt::format(fmt::runtime(kAutocommitHelp), alembic_call));
}

std::vector<std::string> index_columns(const Node& index) {
  std::vector<std::string> columns;
  for (const Node& element : items(index, "indexParams"))
    columns.push_back(text(child(element, "IndexElem"), "name"));
  return columns;
}

void create_index(const Judgement& judgement, const Node& index) {
  TableName table = table_name(child(index, "relation"));
  std::string name = text(index, "idxname");
  std::string call =
      fmt::format("op.create_index(\"{}\", \"{}\", {}{}{}, postgresql_concurrently=True)", name,
                  table.name, python_list(index_columns(index)),
                  flag(index, "unique") ? ", unique=True" : "", schema_keyword(table));
  if (flag(index, "concurrent")) {
    if (judgement.session.in_transaction())
      concurrently_in_transaction(judgement, "CREATE INDEX CONCURRENTLY", call);
    return;
  }
  if (!judgement.existing(table)) return;
  judgement.report(
      "require-concurrent-index-creation",
      fmt::format("CREATE INDEX {} holds a SHARE lock on existing table {} until the index is "
                  "built, blocking every INSERT, UPDATE and DELETE on it meanwhile",
                  name, table.display()),
      fmt::format("build it without blocking writes, outside the migration's transaction: `with "
                  "op.get_context().autocommit_block(): {}`",
                  call));
}

/// The table of index `name`: where the history made it, else what the op.drop_index call names
/// (its table_name=, which the SQL does not carry).
std::optional<TableName> dropped_index_table(const Judgement& judgement, const std::string& name) {
  if (std::optional<TableName> made = judgement.schema.index_table(name)) return made;
  const Statement& statement = judgement.statement;
  if (statement.source == nullptr) return std::nullopt;
  std::optional<std::string> table = statement.source->keyword_string(statement.line, "table_name");
  if (!table) return std::nullopt;
  return TableName{statement.source->keyword_string(statement.line, "schema").value_or(""), *table};
}

void drop_index(const Judgement& judgement, const Node& drop) {
  for (const Node& object : items(drop, "objects")) {
    std::string name = listed_name(object).name;
    std::optional<TableName> table = dropped_index_table(judgement, name);
    std::string call = fmt::format(
        "op.drop_index(\"{}\", {}postgresql_concurrently=True)", name,
        table ? fmt::format("table_name=\"{}\"{}, ", table->name, schema_keyword(*table)) : "");
    if (flag(drop, "concurrent")) {
      if (judgement.session.in_transaction())
        concurrently_in_transaction(judgement, "DROP INDEX CONCURRENTLY", call);
      continue;
    }
    if (judgement.schema.is_new_index(name) || (table && !judgement.existing(*table))) continue;
    // Autogenerate drops a table's indexes before the table: dropping the table takes the same
    // lock anyway, and ban-drop-table reports it.
    if (table && judgement.outlook.drops(*table)) continue;
    judgement.report(
        "require-concurrent-index-deletion",
        fmt::format("DROP INDEX {} takes an ACCESS EXCLUSIVE lock on {}, blocking all reads and "
                    "writes of it while it waits for running queries and while it drops",
                    name, table ? table->display() : "its table"),
        fmt::format("drop it without blocking, outside the migration's transaction: `with "
                    "op.get_context().autocommit_block(): {}`",
                    call));
  }
}

/// What REINDEX rebuilds: the table it locks (none for a schema, the database or an index of
/// unknown table), how messages say it, and its target as SQL (INDEX, ix).
struct ReindexTarget {
  std::optional<TableName> table;
  std::string what;
  std::string keyword;
  std::string name;
};

ReindexTarget reindex_target(const Judgement& judgement, const Node& reindex) {
  std::string kind = text(reindex, "kind");
  TableName named = table_name(child(reindex, "relation"));
  if (kind == "REINDEX_OBJECT_TABLE")
    return {named, "the indexes of " + named.display(), "TABLE", named.display()};
  if (kind == "REINDEX_OBJECT_INDEX") {
    std::optional<TableName> table = judgement.schema.index_table(named.name);
    std::string what = "index " + named.display();
    return {table, table ? what + " on " + table->display() : what, "INDEX", named.display()};
  }
  std::string name = text(reindex, "name");
  if (kind == "REINDEX_OBJECT_SYSTEM")  // system catalogs: never concurrently
    return {std::nullopt, "every index of the system catalogs", "SYSTEM", name};
  if (kind == "REINDEX_OBJECT_SCHEMA")
    return {std::nullopt, "every index of schema " + name, "SCHEMA", name};
  return {std::nullopt, "every index of the database", "DATABASE",
          name.empty() ? "<database>" : name};
}

void reindex(const Judgement& judgement, const Node& reindex) {
  ReindexTarget target = reindex_target(judgement, reindex);
  std::string call =
      fmt::format("op.execute(\"REINDEX {} CONCURRENTLY {}\")", target.keyword, target.name);
  if (has_option(reindex, "params", "concurrently")) {
    if (judgement.session.in_transaction())
      concurrently_in_transaction(judgement, "REINDEX CONCURRENTLY",
                                  fmt::format("op.execute(\"{}\")", judgement.statement.text));
    return;
  }
  if (target.table && !judgement.existing(*target.table)) return;
  bool one_index = target.keyword == "INDEX";
  bool system = target.keyword == "SYSTEM";
  judgement.report(
      "require-concurrent-reindex",
      fmt::format("REINDEX rebuilds {} holding a SHARE lock on {} (every INSERT, UPDATE and "
                  "DELETE waits) and an ACCESS EXCLUSIVE lock on each index (queries that would "
                  "use it wait), until the rebuild ends",
                  target.what,
                  target.table ? target.table->display()
                  : one_index  ? "its table"
                               : "each table"),
      system ? std::string("system catalogs cannot be reindexed concurrently: leave this to a "
                           "maintenance window, out of the migrations")
             : fmt::format("on PostgreSQL 12+, rebuild without blocking, outside the migration's "
                           "transaction: `with op.get_context().autocommit_block(): {}`",
                           call));
}

}  // namespace

void judge_indexes(const Judgement& judgement) {
  std::string kind = judgement.statement.kind();
  const Node& node = judgement.statement.node();
  if (kind == "IndexStmt") create_index(judgement, node);
  if (kind == "DropStmt" && text(node, "removeType") == "OBJECT_INDEX") drop_index(judgement, node);
  if (kind == "ReindexStmt") reindex(judgement, node);
}

}  // namespace ag::checks::lint
