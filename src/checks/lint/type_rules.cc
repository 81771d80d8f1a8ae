// prefer-bigint-over-int, prefer-text-field, prefer-timestamptz, prefer-jsonb: the types of new
// columns.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

#include "checks/lint/sql_rules.h"

namespace ag::checks::lint {
namespace {

/// A column a statement creates (or gives a new type), with its table.
struct ColumnType {
  TableName table;
  std::string column;
  TypeRef type;
  bool retyped = false;  ///< ALTER COLUMN TYPE: a varchar limit there is usually a widening.
};

bool narrow_integer(const TypeRef& type) {
  static constexpr std::array<std::string_view, 6> kNarrow = {"int2",    "int4",        "serial",
                                                              "serial4", "smallserial", "serial2"};
  return !type.array && std::find(kNarrow.begin(), kNarrow.end(), type.name) != kNarrow.end();
}

/// The largest value an integer type holds, as messages write it; "" for other types.
std::string_view integer_limit(const TypeRef& type) {
  if (type.array) return "";
  if (type.name == "int2" || type.name == "smallserial" || type.name == "serial2") return "32,767";
  if (type.name == "int4" || type.name == "serial" || type.name == "serial4")
    return "2,147,483,647";
  if (type.name == "int8" || type.name == "bigserial" || type.name == "serial8")
    return "9,223,372,036,854,775,807";
  return "";
}

bool has_primary_key(const Node& column) {
  return std::any_of(items(column, "constraints").begin(), items(column, "constraints").end(),
                     [](const Node& constraint) {
                       return text(child(constraint, "Constraint"), "contype") == "CONSTR_PRIMARY";
                     });
}

/// The single column of a table-level PRIMARY KEY, or "".
std::string primary_key_column(const Node& constraint) {
  const Node& keys = items(constraint, "keys");
  return text(constraint, "contype") == "CONSTR_PRIMARY" && keys.size() == 1 ? string_value(keys[0])
                                                                             : "";
}

/// A foreign key the statement declares: its columns and the ones they reference.
struct ForeignKey {
  std::vector<std::string> columns;
  TableName referenced;
  std::vector<std::string> referenced_columns;
};

/// What the statement declares: the columns and their types, and its new single-column primary
/// keys and foreign keys.
struct Declared {
  std::vector<ColumnType> columns;
  std::vector<std::string> primary_keys;
  std::vector<ForeignKey> foreign_keys;
};

/// The foreign key `constraint` declares, on `column` when it is a column's REFERENCES clause.
std::optional<ForeignKey> foreign_key(const Node& constraint, const std::string& column = "") {
  if (text(constraint, "contype") != "CONSTR_FOREIGN") return std::nullopt;
  ForeignKey key{column.empty() ? string_values(items(constraint, "fk_attrs"))
                                : std::vector<std::string>{column},
                 table_name(child(constraint, "pktable")),
                 string_values(items(constraint, "pk_attrs"))};
  return key;
}

Declared declared(const Statement& statement) {
  Declared out;
  std::string kind = statement.kind();
  const Node& node = statement.node();
  TableName table = table_name(child(node, "relation"));
  auto column_def = [&](const Node& column) {
    std::string name = text(column, "colname");
    out.columns.push_back({table, name, type_of(child(column, "typeName"))});
    if (has_primary_key(column)) out.primary_keys.push_back(name);
    for (const Node& constraint : items(column, "constraints"))
      if (auto key = foreign_key(child(constraint, "Constraint"), name))
        out.foreign_keys.push_back(*key);
  };
  auto table_constraint = [&](const Node& constraint) {
    std::string primary = primary_key_column(constraint);
    if (!primary.empty()) out.primary_keys.push_back(primary);
    if (auto foreign = foreign_key(constraint)) out.foreign_keys.push_back(*foreign);
  };
  if (kind == "CreateStmt") {
    for (const Node& element : items(node, "tableElts")) {
      if (element.contains("ColumnDef")) column_def(element["ColumnDef"]);
      table_constraint(child(element, "Constraint"));
    }
  }
  if (kind != "AlterTableStmt" || text(node, "objtype") != "OBJECT_TABLE") return out;
  for (const Node& item : items(node, "cmds")) {
    const Node& command = child(item, "AlterTableCmd");
    std::string subtype = text(command, "subtype");
    const Node& definition = child(command, "def");
    if (subtype == "AT_AddColumn") column_def(child(definition, "ColumnDef"));
    if (subtype == "AT_AlterColumnType") {
      out.columns.push_back({table, text(command, "name"),
                             type_of(child(child(definition, "ColumnDef"), "typeName")), true});
    }
    if (subtype == "AT_AddConstraint") table_constraint(child(definition, "Constraint"));
  }
  return out;
}

void narrow_primary_key(const Judgement& judgement, const TableName& table,
                        const std::string& column, const TypeRef& type) {
  judgement.report(
      "prefer-bigint-over-int",
      fmt::format("primary key {}.{} is {}, which runs out at {}; widening it later rewrites {} "
                  "and every table referencing it under ACCESS EXCLUSIVE locks",
                  table.display(), column, type.display(), integer_limit(type), table.display()),
      fmt::format("`sa.Column(\"{}\", sa.BigInteger(), primary_key=True)`", column));
}

/// The type a serial stores (serial is int4, bigserial int8, smallserial int2): how a column
/// referencing it is typed.
TypeRef stored_type(TypeRef type) {
  if (type.name == "smallserial" || type.name == "serial2") type.name = "int2";
  if (type.name == "serial" || type.name == "serial4") type.name = "int4";
  if (type.name == "bigserial" || type.name == "serial8") type.name = "int8";
  return type;
}

/// A foreign key column narrower than the key it references: rows referencing the key's later
/// values cannot be stored.
void narrow_foreign_key(const Judgement& judgement, const Declared& found, const ForeignKey& key) {
  for (size_t i = 0; i < key.columns.size() && i < key.referenced_columns.size(); ++i) {
    const std::string& column = key.columns[i];
    TableName table = table_name(child(judgement.statement.node(), "relation"));
    auto here = std::find_if(found.columns.begin(), found.columns.end(),
                             [&](const ColumnType& c) { return c.column == column; });
    std::optional<TypeRef> type = here != found.columns.end()
                                      ? std::optional(here->type)
                                      : judgement.schema.column_type(table, column);
    std::optional<TypeRef> referenced =
        judgement.schema.column_type(key.referenced, key.referenced_columns[i]);
    if (!referenced && key.referenced.key() == table.key()) {  // a key of the same new table
      auto own = std::find_if(found.columns.begin(), found.columns.end(), [&](const ColumnType& c) {
        return c.column == key.referenced_columns[i];
      });
      if (own != found.columns.end()) referenced = own->type;
    }
    if (referenced) referenced = stored_type(*referenced);
    if (!type || !referenced) continue;
    std::string_view limit = integer_limit(*type), referenced_limit = integer_limit(*referenced);
    if (limit.empty() || referenced_limit.empty() || limit.size() >= referenced_limit.size())
      continue;
    judgement.report(
        "prefer-bigint-over-int",
        fmt::format("foreign key column {0}.{1} is {2} but references {3}.{4}, a {5}: once "
                    "{3}.{4} passes {6}, rows referencing it cannot be stored",
                    table.display(), column, type->display(), key.referenced.display(),
                    key.referenced_columns[i], referenced->display(), limit),
        fmt::format("give it the referenced key's type: `sa.Column(\"{}\", {}, "
                    "sa.ForeignKey(\"{}.{}\"))`",
                    column, sqlalchemy_type(*referenced), key.referenced.display(),
                    key.referenced_columns[i]));
  }
}

void judge_column_type(const Judgement& judgement, const ColumnType& column) {
  std::string where = column.table.display() + "." + column.column;
  if (column.type.name == "varchar" && !column.type.modifiers.empty() && !column.retyped) {
    int limit = column.type.modifiers[0];
    judgement.report(
        "prefer-text-field",
        fmt::format("{} is {}: lowering that limit later is an ALTER COLUMN TYPE that scans {} "
                    "under an ACCESS EXCLUSIVE lock, while a CHECK on a text column can be "
                    "replaced without blocking",
                    where, column.type.display(), column.table.display()),
        fmt::format("`sa.Column(\"{0}\", sa.Text())`, with `sa.CheckConstraint(\"char_length({0}) "
                    "<= {1}\")` if the limit matters",
                    column.column, limit));
  }
  if (column.type.name == "timestamp") {
    judgement.report(
        "prefer-timestamptz",
        fmt::format("{} is timestamp without time zone: its values carry no zone, so they mean "
                    "different instants to servers, sessions and clients in different time zones",
                    where),
        fmt::format("`sa.Column(\"{}\", sa.DateTime(timezone=True))`", column.column));
  }
  if (column.type.name == "json") {
    judgement.report(
        "prefer-jsonb",
        fmt::format("{} is json: PostgreSQL keeps the text as written and reparses it on every "
                    "access, and cannot index it with GIN nor compare it with =; jsonb can",
                    where),
        fmt::format("`sa.Column(\"{}\", postgresql.JSONB())` (from sqlalchemy.dialects import "
                    "postgresql)",
                    column.column));
  }
}

}  // namespace

void judge_types(const Judgement& judgement) {
  Declared found = declared(judgement.statement);
  for (const ColumnType& column : found.columns) judge_column_type(judgement, column);
  TableName table = table_name(child(judgement.statement.node(), "relation"));
  for (const std::string& key : found.primary_keys) {
    auto declared_here =
        std::find_if(found.columns.begin(), found.columns.end(),
                     [&](const ColumnType& column) { return column.column == key; });
    std::optional<TypeRef> type = declared_here != found.columns.end()
                                      ? std::optional(declared_here->type)
                                      : judgement.schema.column_type(table, key);
    if (type && narrow_integer(*type)) narrow_primary_key(judgement, table, key, *type);
  }
  for (const ForeignKey& key : found.foreign_keys) narrow_foreign_key(judgement, found, key);
}

}  // namespace ag::checks::lint
