#include "checks/lint/schema_model.h"

namespace ag::checks::lint {
namespace {

std::string check_key(const std::string& table, const std::string& constraint) {
  return table + "/" + constraint;
}

}  // namespace

void SchemaModel::begin_revision() {
  new_tables_.clear();
  new_indexes_.clear();
}

void SchemaModel::apply(const Node& tree) {
  std::string kind = kind_of(tree);
  if (kind.empty()) return;
  const Node& node = tree.begin().value();
  if (kind == "CreateStmt") {
    create_table(node);
  } else if (kind == "CreateTableAsStmt") {
    TableName name = table_name(child(child(node, "into"), "rel"));
    tables_[name.key()] = {name, {}};
    new_tables_.insert(name.key());
  } else if (kind == "IndexStmt" && !text(node, "idxname").empty()) {
    indexes_[text(node, "idxname")] = table_name(child(node, "relation"));
    new_indexes_.insert(text(node, "idxname"));
  } else if (kind == "AlterTableStmt") {
    alter_table(node);
  } else if (kind == "RenameStmt") {
    rename(node);
  } else if (kind == "DropStmt") {
    drop(node);
  }
}

void SchemaModel::create_table(const Node& create) {
  TableName name = table_name(child(create, "relation"));
  Table& table = tables_[name.key()] = {name, {}};
  new_tables_.insert(name.key());
  for (const Node& element : items(create, "tableElts")) {
    if (element.contains("ColumnDef")) {
      const Node& column = element["ColumnDef"];
      table.columns[text(column, "colname")] = type_of(child(column, "typeName"));
      for (const Node& constraint : items(column, "constraints"))
        add_check(name.key(), child(constraint, "Constraint"));
    } else if (element.contains("Constraint")) {
      add_check(name.key(), element["Constraint"]);
    }
  }
}

void SchemaModel::alter_table(const Node& alter) {
  if (text(alter, "objtype") != "OBJECT_TABLE") return;
  TableName name = table_name(child(alter, "relation"));
  std::string key = name.key();
  Table& table = tables_.try_emplace(key, Table{name, {}}).first->second;
  for (const Node& item : items(alter, "cmds")) {
    const Node& command = child(item, "AlterTableCmd");
    std::string subtype = text(command, "subtype");
    const Node& definition = child(command, "def");
    const Node& column = child(definition, "ColumnDef");
    if (subtype == "AT_AddColumn") {
      table.columns[text(column, "colname")] = type_of(child(column, "typeName"));
    } else if (subtype == "AT_AlterColumnType") {
      table.columns[text(command, "name")] = type_of(child(column, "typeName"));
    } else if (subtype == "AT_DropColumn") {
      table.columns.erase(text(command, "name"));
    } else if (subtype == "AT_AddConstraint") {
      add_check(key, child(definition, "Constraint"));
    } else if (subtype == "AT_ValidateConstraint") {
      auto found = not_null_checks_.find(check_key(key, text(command, "name")));
      if (found != not_null_checks_.end()) found->second.validated = true;
    } else if (subtype == "AT_DropConstraint") {
      not_null_checks_.erase(check_key(key, text(command, "name")));
    }
  }
}

void SchemaModel::add_check(const std::string& table, const Node& constraint) {
  if (text(constraint, "contype") != "CONSTR_CHECK") return;
  std::string column = not_null_test_column(child(constraint, "raw_expr"));
  if (column.empty()) return;
  // An unnamed one cannot be validated later; PostgreSQL names it, but the SQL does not say how.
  std::string name = text(constraint, "conname");
  not_null_checks_[check_key(table, name.empty() ? "?" + column : name)] = {
      column, !flag(constraint, "skip_validation")};
}

void SchemaModel::rename(const Node& rename) {
  std::string type = text(rename, "renameType");
  TableName old_name = table_name(child(rename, "relation"));
  std::string new_name = text(rename, "newname");
  if (type == "OBJECT_TABLE") {
    TableName renamed{old_name.schema, new_name};
    auto found = tables_.find(old_name.key());
    if (found != tables_.end()) {
      Table table = std::move(found->second);
      tables_.erase(found);
      table.name = renamed;
      tables_[renamed.key()] = std::move(table);
    }
    if (new_tables_.erase(old_name.key())) new_tables_.insert(renamed.key());
    for (auto& [index, table] : indexes_)
      if (table.key() == old_name.key()) table = renamed;
  } else if (type == "OBJECT_COLUMN") {
    auto found = tables_.find(old_name.key());
    if (found == tables_.end()) return;
    auto column = found->second.columns.extract(text(rename, "subname"));
    if (!column.empty()) {
      column.key() = new_name;
      found->second.columns.insert(std::move(column));
    }
    for (auto& [key, check] : not_null_checks_)
      if (key.starts_with(old_name.key() + "/") && check.column == text(rename, "subname"))
        check.column = new_name;
  } else if (type == "OBJECT_INDEX") {
    auto index = indexes_.extract(old_name.name);
    if (!index.empty()) {
      index.key() = new_name;
      indexes_.insert(std::move(index));
    }
    if (new_indexes_.erase(old_name.name)) new_indexes_.insert(new_name);
  }
}

void SchemaModel::drop(const Node& drop) {
  std::string type = text(drop, "removeType");
  for (const Node& object : items(drop, "objects")) {
    TableName name = listed_name(object);
    if (type == "OBJECT_TABLE") {
      tables_.erase(name.key());
      new_tables_.erase(name.key());
      std::erase_if(indexes_, [&](const auto& index) { return index.second.key() == name.key(); });
    } else if (type == "OBJECT_INDEX") {
      indexes_.erase(name.name);
      new_indexes_.erase(name.name);
    }
  }
}

bool SchemaModel::is_new(const TableName& table) const {
  return new_tables_.contains(table.key());
}

bool SchemaModel::is_new_index(const std::string& name) const {
  return new_indexes_.contains(name);
}

std::optional<TableName> SchemaModel::index_table(const std::string& name) const {
  auto found = indexes_.find(name);
  if (found == indexes_.end()) return std::nullopt;
  return found->second;
}

std::optional<TypeRef> SchemaModel::column_type(const TableName& table,
                                                const std::string& column) const {
  auto found = tables_.find(table.key());
  if (found == tables_.end()) return std::nullopt;
  auto type = found->second.columns.find(column);
  if (type == found->second.columns.end()) return std::nullopt;
  return type->second;
}

bool SchemaModel::not_null_proven(const TableName& table, const std::string& column) const {
  for (const auto& [key, check] : not_null_checks_)
    if (key.starts_with(table.key() + "/") && check.column == column && check.validated)
      return true;
  return false;
}

}  // namespace ag::checks::lint
