// adding-field-with-default, adding-required-field, adding-not-nullable-field,
// changing-column-type, ban-drop-column, renaming-column.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "checks/lint/sql_rules.h"

namespace ag::checks::lint {
namespace {

/// What ADD COLUMN's definition says, as far as these rules care.
struct NewColumn {
  std::string name;
  TypeRef type;
  bool not_null = false;
  bool has_default = false;  ///< DEFAULT, identity, generated or serial: rows get a value.
  std::string rewrite;       ///< Why adding it rewrites the table; empty when it does not.
  /// A function of unknown volatility in the default: adding the column rewrites the table if
  /// that function is volatile.
  std::string unknown_function;
};

bool is_serial(const TypeRef& type) {
  static constexpr std::array<std::string_view, 6> kSerials = {
      "serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"};
  return std::find(kSerials.begin(), kSerials.end(), type.name) != kSerials.end();
}

NewColumn read_column(const Node& column) {
  NewColumn out{text(column, "colname"), type_of(child(column, "typeName")), false, false, "", ""};
  if (is_serial(out.type)) {
    out.has_default = true;
    out.rewrite = fmt::format("type {} (its default is nextval(), volatile)", out.type.name);
  }
  for (const Node& item : items(column, "constraints")) {
    const Node& constraint = child(item, "Constraint");
    std::string type = text(constraint, "contype");
    if (type == "CONSTR_NOTNULL" || type == "CONSTR_PRIMARY") out.not_null = true;
    if (type == "CONSTR_DEFAULT") {
      out.has_default = true;
      if (std::optional<VolatileCall> part = volatile_part(child(constraint, "raw_expr"))) {
        if (part->known)
          out.rewrite = fmt::format("the volatile default {}", part->call);
        else
          out.unknown_function = part->call;
      }
    }
    if (type == "CONSTR_IDENTITY") {
      out.has_default = true;
      out.rewrite = "an identity (every existing row gets a new value)";
    }
    if (type == "CONSTR_GENERATED") {
      out.has_default = true;
      out.rewrite = "a stored generated value (computed for every existing row)";
    }
  }
  return out;
}

std::string default_later_help(const TableName& table, const NewColumn& column) {
  return fmt::format(
      "add the column without it (a constant server_default costs nothing since PostgreSQL 11), "
      "set the default for new rows with `op.alter_column(\"{}\", \"{}\", "
      "server_default=sa.text(\"...\"){})`, and backfill existing rows in batches",
      table.name, column.name, schema_keyword(table));
}

void add_column(const Judgement& judgement, const TableName& table, const Node& definition) {
  NewColumn column = read_column(definition);
  std::string where = table.display();
  if (!column.rewrite.empty()) {
    judgement.report(
        "adding-field-with-default",
        fmt::format("ADD COLUMN {} with {} rewrites all of existing table {} under an ACCESS "
                    "EXCLUSIVE lock, blocking all reads and writes of it until the rewrite ends",
                    column.name, column.rewrite, where),
        default_later_help(table, column));
  } else if (!column.unknown_function.empty()) {
    const std::string& function = column.unknown_function;
    judgement.report(
        "adding-field-with-default",
        fmt::format("ADD COLUMN {} with the default {} rewrites all of existing table {} under an "
                    "ACCESS EXCLUSIVE lock if {} is volatile, blocking all reads and writes of it "
                    "until the rewrite ends; its volatility is unknown to the linter (not in "
                    "alembic-gate's table of PostgreSQL built-ins; user-defined functions are "
                    "VOLATILE unless declared STABLE or IMMUTABLE)",
                    column.name, function, where, function),
        fmt::format("if {} is declared STABLE or IMMUTABLE, say so: `# alembic-gate: "
                    "ignore[adding-field-with-default] {} is IMMUTABLE`; otherwise {}",
                    function, function, default_later_help(table, column)),
        Severity::warning);
  }
  if (column.not_null && !column.has_default) {
    judgement.report(
        "adding-required-field",
        fmt::format("ADD COLUMN {} NOT NULL without a default fails as soon as existing table {} "
                    "has a row (\"column \\\"{}\\\" of relation \\\"{}\\\" contains null "
                    "values\")",
                    column.name, where, column.name, table.name),
        fmt::format("give it a constant default: `op.add_column(\"{}\", sa.Column(\"{}\", ..., "
                    "nullable=False, server_default=...){})`; or add it nullable, backfill it, "
                    "then `op.alter_column(\"{}\", \"{}\", nullable=False)`",
                    table.name, column.name, schema_keyword(table), table.name, column.name));
  }
}

/// What the expand-and-contract recipe fills existing rows' new column with: SQL of the old row,
/// and what to know about it ("" or ", ...").
struct Backfill {
  std::string expression;
  std::string note;
};

/// The expand-and-contract recipe that moves `table`.`column` to a new column `added` of `type`
/// (unknown: `...`), in Alembic code.
std::string expand_and_contract(const TableName& table, const std::string& column,
                                const std::string& added, const std::optional<TypeRef>& type,
                                const Backfill& backfill) {
  return fmt::format(
      "`op.add_column(\"{0}\", sa.Column(\"{2}\", {3}){4})` and have the application write both; "
      "backfill it in batches (`UPDATE {5} SET {2} = {6} WHERE ...`{7}); move reads to {2}; then "
      "in a later release `op.drop_column(\"{0}\", \"{1}\"{4})`",
      table.name, column, added, type ? sqlalchemy_type(*type) : "...", schema_keyword(table),
      table.display(), backfill.expression, backfill.note);
}

void set_not_null(const Judgement& judgement, const TableName& table, const std::string& column) {
  if (judgement.schema.not_null_proven(table, column)) return;
  std::string check = fmt::format("ck_{}_{}_not_null", table.name, column);
  judgement.report(
      "adding-not-nullable-field",
      fmt::format("SET NOT NULL on {}.{} scans every row of existing table {} while holding an "
                  "ACCESS EXCLUSIVE lock, blocking all reads and writes of it until the scan ends",
                  table.display(), column, table.display()),
      fmt::format("prove it first without blocking (PostgreSQL 12+): "
                  "`op.create_check_constraint(\"{0}\", \"{1}\", \"{2} IS NOT NULL\"{3}, "
                  "postgresql_not_valid=True)`; in a later transaction "
                  "`op.execute(\"ALTER TABLE {4} VALIDATE CONSTRAINT {0}\")`; then "
                  "`op.alter_column(\"{1}\", \"{2}\", nullable=False{3})` skips the scan, and "
                  "`op.drop_constraint(\"{0}\", \"{1}\"{3})`",
                  check, table.name, column, schema_keyword(table), table.display()));
}

/// How the expand-and-contract recipe fills the new column of a type change: with the USING
/// expression as written; without one, with the column itself (ALTER ... TYPE then applies the
/// assignment cast, and so does UPDATE), an explicit CAST for types that have none.
Backfill type_change_backfill(const Judgement& judgement, const std::string& column,
                              const Node& conversion, const TypeRef& after) {
  std::string cast = fmt::format("CAST({} AS {})", column, after.display());
  if (conversion.empty()) {
    return {column, fmt::format("; between types without an assignment cast: `{}` or your own "
                                "conversion",
                                cast)};
  }
  std::string written = written_expression(conversion, judgement.statement.text);
  return {written.empty() ? cast : written, ", the migration's USING expression"};
}

void change_type(const Judgement& judgement, const TableName& table, const Node& command) {
  std::string column = text(command, "name");
  const Node& definition = child(child(command, "def"), "ColumnDef");
  TypeRef after = type_of(child(definition, "typeName"));
  const Node& conversion = child(definition, "raw_default");  // USING ...; {} without one
  std::optional<TypeRef> before = judgement.schema.column_type(table, column);
  if (conversion.empty() && before && binary_coercible(*before, after)) return;
  std::string added = column + "_new";
  Backfill backfill = type_change_backfill(judgement, column, conversion, after);
  judgement.report(
      "changing-column-type",
      fmt::format("changing {}.{} {}to {} rewrites existing table {} and rebuilds its indexes "
                  "under an ACCESS EXCLUSIVE lock, blocking all reads and writes of it until done",
                  table.display(), column, before ? fmt::format("from {} ", before->display()) : "",
                  after.display(), table.display()),
      fmt::format("expand and contract instead: {}; renaming {} back to {} is itself a breaking "
                  "rename, for a still later release once {} is dropped; only widening a varchar, "
                  "varchar to text and raising a numeric's precision avoid the rewrite{}",
                  expand_and_contract(table, column, added, after, backfill), added, column, column,
                  before ? "" : " (the old type was not in the SQL of the revisions read)"));
}

void drop_column(const Judgement& judgement, const TableName& table, const std::string& column) {
  judgement.report(
      "ban-drop-column",
      fmt::format("DROP COLUMN {}.{} breaks every running instance of the application that "
                  "still reads or writes it, until the new code is everywhere",
                  table.display(), column),
      fmt::format("stop using it first: remove {} from the models and deploy that; then drop it in "
                  "a later release and say so: `op.drop_column(\"{}\", \"{}\"{})  # alembic-gate: "
                  "ignore[ban-drop-column] unused since <release>`",
                  column, table.name, column, schema_keyword(table)));
}

void rename_column(const Judgement& judgement, const Node& rename) {
  TableName table = table_name(child(rename, "relation"));
  if (!judgement.existing(table)) return;
  std::string old_name = text(rename, "subname"), new_name = text(rename, "newname");
  judgement.report(
      "renaming-column",
      fmt::format("RENAME COLUMN {}.{} to {} breaks every running instance of the application "
                  "that still uses the old name, until the new code is everywhere",
                  table.display(), old_name, new_name),
      fmt::format(
          "expand and contract instead: {}",
          expand_and_contract(table, old_name, new_name,
                              judgement.schema.column_type(table, old_name), {old_name, ""})));
}

}  // namespace

void judge_columns(const Judgement& judgement) {
  std::string kind = judgement.statement.kind();
  const Node& node = judgement.statement.node();
  if (kind == "RenameStmt" && text(node, "renameType") == "OBJECT_COLUMN")
    rename_column(judgement, node);
  if (kind != "AlterTableStmt" || text(node, "objtype") != "OBJECT_TABLE") return;
  TableName table = table_name(child(node, "relation"));
  if (!judgement.existing(table)) return;
  for (const Node& item : items(node, "cmds")) {
    const Node& command = child(item, "AlterTableCmd");
    std::string subtype = text(command, "subtype");
    if (subtype == "AT_AddColumn")
      add_column(judgement, table, child(child(command, "def"), "ColumnDef"));
    if (subtype == "AT_SetNotNull") set_not_null(judgement, table, text(command, "name"));
    if (subtype == "AT_AlterColumnType") change_type(judgement, table, command);
    if (subtype == "AT_DropColumn") drop_column(judgement, table, text(command, "name"));
  }
}

}  // namespace ag::checks::lint
