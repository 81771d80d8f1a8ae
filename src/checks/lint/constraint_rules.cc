// constraint-missing-not-valid, adding-foreign-key-constraint, disallowed-unique-constraint.
#include <fmt/format.h>

#include "checks/lint/sql_rules.h"

namespace ag::checks::lint {
namespace {

constexpr std::string_view kValidateLater =
    "then, in a later transaction (the next revision, or after `with "
    "op.get_context().autocommit_block():`), `op.execute(\"ALTER TABLE {} VALIDATE CONSTRAINT "
    "{}\")`, which takes a SHARE UPDATE EXCLUSIVE lock only";

std::string label(const Node& constraint, std::string_view kind) {
  std::string name = text(constraint, "conname");
  return name.empty() ? std::string(kind) : fmt::format("{} {}", name, kind);
}

std::string name_or(const Node& constraint, std::string_view fallback) {
  std::string name = text(constraint, "conname");
  return name.empty() ? std::string(fallback) : name;
}

void check_constraint(const Judgement& judgement, const TableName& table, const Node& constraint) {
  std::string name = name_or(constraint, "ck_" + table.name);
  judgement.report(
      "constraint-missing-not-valid",
      fmt::format("ADD CONSTRAINT {} on existing table {} checks every row while holding an "
                  "ACCESS EXCLUSIVE lock, blocking all reads and writes of it until the scan ends",
                  label(constraint, "CHECK"), table.display()),
      fmt::format("add it without the scan: `op.create_check_constraint(\"{}\", \"{}\", "
                  "\"...\"{}, postgresql_not_valid=True)`; ",
                  name, table.name, schema_keyword(table)) +
          fmt::format(fmt::runtime(kValidateLater), table.display(), name));
}

void foreign_key(const Judgement& judgement, const TableName& table, const Node& constraint,
                 const std::string& column) {
  TableName referenced = table_name(child(constraint, "pktable"));
  std::vector<std::string> columns = string_values(items(constraint, "fk_attrs"));
  if (columns.empty()) columns.push_back(column);  // ADD COLUMN ... REFERENCES
  std::string name = name_or(constraint, "fk_" + table.name + "_" + referenced.name);
  judgement.report(
      "adding-foreign-key-constraint",
      fmt::format("{} on existing table {} checks every row against {} while holding SHARE ROW "
                  "EXCLUSIVE locks on both, blocking writes to {} and {} until the check ends",
                  column.empty() ? "ADD CONSTRAINT " + label(constraint, "FOREIGN KEY")
                                 : "ADD COLUMN " + column + " REFERENCES " + referenced.display(),
                  table.display(), referenced.display(), table.display(), referenced.display()),
      fmt::format("add it without the check: `op.create_foreign_key(\"{}\", \"{}\", \"{}\", {}, "
                  "{}, postgresql_not_valid=True)`; ",
                  name, table.name, referenced.name, python_list(columns),
                  python_list(string_values(items(constraint, "pk_attrs")))) +
          fmt::format(fmt::runtime(kValidateLater), table.display(), name));
}

void unique_constraint(const Judgement& judgement, const TableName& table, const Node& constraint,
                       const std::string& column) {
  bool primary = text(constraint, "contype") == "CONSTR_PRIMARY";
  std::string kind = primary ? "PRIMARY KEY" : "UNIQUE";
  std::vector<std::string> columns = string_values(items(constraint, "keys"));
  if (columns.empty()) columns.push_back(column);
  std::string name = name_or(
      constraint, fmt::format("{}_{}_{}", table.name, columns.front(), primary ? "pkey" : "key"));
  judgement.report(
      "disallowed-unique-constraint",
      fmt::format("{} on existing table {} builds its index while holding an ACCESS EXCLUSIVE "
                  "lock, blocking all reads and writes of it until the build ends",
                  column.empty() ? "ADD CONSTRAINT " + label(constraint, kind)
                                 : "ADD COLUMN " + column + " " + kind,
                  table.display()),
      fmt::format("build the index without blocking first: `with "
                  "op.get_context().autocommit_block(): op.create_index(\"{}\", \"{}\", {}, "
                  "unique=True{}, postgresql_concurrently=True)`, then attach it with a brief "
                  "lock: `op.execute(\"ALTER TABLE {} ADD CONSTRAINT {} {} USING INDEX {}\")`",
                  name, table.name, python_list(columns), schema_keyword(table), table.display(),
                  name, kind, name));
}

/// A constraint added to an existing table, by ADD CONSTRAINT or with ADD COLUMN `column`.
void added_constraint(const Judgement& judgement, const TableName& table, const Node& constraint,
                      const std::string& column) {
  std::string type = text(constraint, "contype");
  bool validated = !flag(constraint, "skip_validation");
  if (type == "CONSTR_CHECK" && validated) check_constraint(judgement, table, constraint);
  if (type == "CONSTR_FOREIGN" && validated) foreign_key(judgement, table, constraint, column);
  if ((type == "CONSTR_UNIQUE" || type == "CONSTR_PRIMARY") &&
      text(constraint, "indexname").empty())
    unique_constraint(judgement, table, constraint, column);
}

/// VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID.
void validated_too_soon(const Judgement& judgement, const TableName& table,
                        const std::string& name) {
  std::string type = judgement.session.added_not_valid(table, name);
  if (type.empty()) return;
  bool foreign = type == "CONSTR_FOREIGN";
  judgement.report(
      foreign ? "adding-foreign-key-constraint" : "constraint-missing-not-valid",
      fmt::format("VALIDATE CONSTRAINT {} runs in the transaction that added it NOT VALID, so the "
                  "{} lock of the ADD stays held while every row of {} is checked",
                  name, foreign ? "SHARE ROW EXCLUSIVE" : "ACCESS EXCLUSIVE", table.display()),
      fmt::format("commit in between: validate in the next revision, or inside `with "
                  "op.get_context().autocommit_block(): op.execute(\"ALTER TABLE {} VALIDATE "
                  "CONSTRAINT {}\")`",
                  table.display(), name));
}

}  // namespace

void judge_constraints(const Judgement& judgement) {
  if (judgement.statement.kind() != "AlterTableStmt") return;
  const Node& alter = judgement.statement.node();
  if (text(alter, "objtype") != "OBJECT_TABLE") return;
  TableName table = table_name(child(alter, "relation"));
  if (!judgement.existing(table)) return;
  for (const Node& item : items(alter, "cmds")) {
    const Node& command = child(item, "AlterTableCmd");
    std::string subtype = text(command, "subtype");
    const Node& definition = child(command, "def");
    if (subtype == "AT_AddConstraint") {
      added_constraint(judgement, table, child(definition, "Constraint"), "");
    } else if (subtype == "AT_AddColumn") {
      const Node& column = child(definition, "ColumnDef");
      for (const Node& constraint : items(column, "constraints"))
        added_constraint(judgement, table, child(constraint, "Constraint"),
                         text(column, "colname"));
    } else if (subtype == "AT_ValidateConstraint") {
      validated_too_soon(judgement, table, text(command, "name"));
    }
  }
}

}  // namespace ag::checks::lint
