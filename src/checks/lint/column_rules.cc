// adding-field-with-default, adding-required-field, adding-not-nullable-field,
// changing-column-type, ban-drop-column, renaming-column.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "checks/lint/sql_rules.h"
#include "util/text.h"

namespace ag::checks::lint {
namespace {

/// How existing rows get a value of a new column, when that rewrites the table.
enum class Fill { none, volatile_default, serial, identity, generated };

/// What ADD COLUMN's definition says, as far as these rules care.
struct NewColumn {
  std::string name;
  TypeRef type;
  bool not_null = false;
  bool has_default = false;     ///< DEFAULT, identity, generated or serial: rows get a value.
  std::string rewrite = {};     ///< Why adding it rewrites the table; empty when it does not.
  Fill fill = Fill::none;       ///< What rewrites it.
  std::string expression = {};  ///< The default or generation expression, as written.
  /// A function of unknown volatility in the default: adding the column rewrites the table if
  /// that function is volatile.
  std::string unknown_function = {};
};

bool is_serial(const TypeRef& type) {
  static constexpr std::array<std::string_view, 6> kSerials = {
      "serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"};
  return std::find(kSerials.begin(), kSerials.end(), type.name) != kSerials.end();
}

/// The text of the expression of constraint `index` among a column's `constraints`, as written:
/// it ends where the next constraint starts (DEFAULT f() NOT NULL), or before STORED (GENERATED
/// ALWAYS AS (e) STORED), or with the statement.
std::string constraint_expression(const Node& constraints, size_t index,
                                  std::string_view statement) {
  const Node& constraint = child(constraints[index], "Constraint");
  size_t end = statement.size();
  if (index + 1 < constraints.size()) {
    long next = child(constraints[index + 1], "Constraint").value("location", -1L);
    if (next > 0 && static_cast<size_t>(next) < end) end = static_cast<size_t>(next);
  }
  if (text(constraint, "contype") == "CONSTR_GENERATED") {  // the first STORED after it
    long start = constraint.value("location", 0L);
    size_t stored =
        upper(statement.substr(0, end)).find("STORED", static_cast<size_t>(std::max(start, 0L)));
    if (stored != std::string::npos) end = stored;
  }
  return written_expression(child(constraint, "raw_expr"), statement.substr(0, end));
}

NewColumn read_column(const Node& column, std::string_view statement) {
  NewColumn out{.name = text(column, "colname"), .type = type_of(child(column, "typeName"))};
  if (is_serial(out.type)) {
    out.has_default = true;
    out.fill = Fill::serial;
    out.rewrite = fmt::format("type {} (its default is nextval(), volatile)", out.type.name);
  }
  const Node& constraints = items(column, "constraints");
  for (size_t index = 0; index < constraints.size(); ++index) {
    const Node& constraint = child(constraints[index], "Constraint");
    std::string type = text(constraint, "contype");
    if (type == "CONSTR_NOTNULL" || type == "CONSTR_PRIMARY") out.not_null = true;
    if (type == "CONSTR_DEFAULT") {
      out.has_default = true;
      out.expression = constraint_expression(constraints, index, statement);
      if (std::optional<VolatileCall> part = volatile_part(child(constraint, "raw_expr"))) {
        if (part->known) {
          out.fill = Fill::volatile_default;
          out.rewrite = fmt::format("the volatile default {}", part->call);
        } else {
          out.unknown_function = part->call;
        }
      }
    }
    if (type == "CONSTR_IDENTITY") {
      out.has_default = true;
      out.fill = Fill::identity;
      out.rewrite = "an identity (every existing row gets a new value)";
    }
    if (type == "CONSTR_GENERATED") {
      out.has_default = true;
      out.fill = Fill::generated;
      out.expression = constraint_expression(constraints, index, statement);
      out.rewrite = "a stored generated value (computed for every existing row)";
    }
  }
  return out;
}

/// The recipe for a default computed per row: the column without it, the default for new rows,
/// existing rows in batches.
/// `sql` inside a Python string literal in double quotes.
std::string python_quoted(const std::string& sql) {
  return replace_all(replace_all(sql, "\\", "\\\\"), "\"", "\\\"");
}

std::string default_later_help(const TableName& table, const NewColumn& column) {
  std::string expression = column.expression.empty() ? "..." : column.expression;
  return fmt::format(
      "add the column without the default, set it for new rows with `op.alter_column(\"{0}\", "
      "\"{1}\", server_default=sa.text(\"{5}\"){3})` (a default set later applies to new rows "
      "only: no rewrite), and backfill existing rows in batches: `UPDATE {4} SET {1} = {2} WHERE "
      "id IN (SELECT id FROM {4} WHERE {1} IS NULL LIMIT 10000)`, repeated",
      table.name, column.name, expression, schema_keyword(table), table.display(),
      python_quoted(expression));
}

/// The recipe for a serial or identity column: a plain integer column, numbered in batches from
/// a sequence, then given its default (serial) or made an identity (no rewrite either way).
std::string numbered_later_help(const TableName& table, const NewColumn& column) {
  std::string sequence = fmt::format("{}_{}_seq", table.name, column.name);
  std::string attach =
      column.fill == Fill::identity
          ? fmt::format(
                "`op.execute(\"ALTER TABLE {0} ALTER COLUMN {1} ADD GENERATED BY DEFAULT "
                "AS IDENTITY (START WITH <max + 1>)\")` (it needs NOT NULL first; drop "
                "the helper sequence after)",
                table.display(), column.name)
          : fmt::format(
                "`op.alter_column(\"{0}\", \"{1}\", "
                "server_default=sa.text(\"nextval('{2}')\"){3})`",
                table.name, column.name, sequence, schema_keyword(table));
  return fmt::format(
      "add it as a plain column without a default (`op.add_column(\"{0}\", sa.Column(\"{1}\", "
      "sa.BigInteger()){2})`), `op.execute(\"CREATE SEQUENCE {3} OWNED BY {4}.{1}\")`, number "
      "existing rows in batches (`UPDATE {4} SET {1} = nextval('{3}') WHERE id IN (SELECT id FROM "
      "{4} WHERE {1} IS NULL LIMIT 10000)`, repeated), then make it NOT NULL (proven by a CHECK "
      "({1} IS NOT NULL) NOT VALID, validated) and attach the numbering: {5}",
      table.name, column.name, schema_keyword(table), sequence, table.display(), attach);
}

/// The recipe for a stored generated column, which PostgreSQL cannot attach without a rewrite.
std::string generated_later_help(const TableName& table, const NewColumn& column) {
  std::string expression = column.expression.empty() ? "..." : column.expression;
  return fmt::format(
      "PostgreSQL cannot make an existing column generated without rewriting the table: add a "
      "plain column (`op.add_column(\"{0}\", sa.Column(\"{1}\", ...){2})`), keep it current "
      "with a trigger (BEFORE INSERT OR UPDATE: `NEW.{1} := {3}`), and backfill existing rows "
      "in batches (`UPDATE {4} SET {1} = {3} WHERE id IN (SELECT id FROM {4} WHERE {1} IS NULL "
      "LIMIT 10000)`, repeated); or compute it in a view or the application",
      table.name, column.name, schema_keyword(table), expression, table.display());
}

/// The recipe that adds `column` without rewriting `table`.
std::string without_rewrite_help(const TableName& table, const NewColumn& column) {
  if (column.fill == Fill::serial || column.fill == Fill::identity)
    return numbered_later_help(table, column);
  if (column.fill == Fill::generated) return generated_later_help(table, column);
  return default_later_help(table, column);
}

void add_column(const Judgement& judgement, const TableName& table, const Node& definition) {
  NewColumn column = read_column(definition, judgement.statement.text);
  std::string where = table.display();
  if (!column.rewrite.empty()) {
    judgement.report(
        "adding-field-with-default",
        fmt::format("ADD COLUMN {} with {} rewrites all of existing table {} under an ACCESS "
                    "EXCLUSIVE lock, blocking all reads and writes of it until the rewrite ends",
                    column.name, column.rewrite, where),
        without_rewrite_help(table, column));
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
