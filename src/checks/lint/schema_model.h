// What the SQL of the revisions so far says about the schema: which tables and indexes exist,
// which the current revision created, the columns' types, and which columns a validated
// CHECK (column IS NOT NULL) covers. Built from the offline SQL of every revision up to the last
// one linted, so a rule knows a column's old type and whether a table is new.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "checks/lint/sql_tree.h"

namespace ag::checks::lint {

class SchemaModel {
 public:
  /// A new revision starts: what the previous ones created is existing from now on.
  void begin_revision();

  /// Records what `tree` (one statement's parse tree) does to the schema.
  void apply(const Node& tree);

  /// Whether `table` was created by the current revision (locking it blocks nobody). Every
  /// other table counts as existing, also one this model never saw created.
  bool is_new(const TableName& table) const;

  /// Whether the index `name` was created by the current revision.
  bool is_new_index(const std::string& name) const;

  /// The table of index `name`, when its CREATE INDEX was seen.
  std::optional<TableName> index_table(const std::string& name) const;

  /// The type of `table`.`column`, when the SQL so far declared it.
  std::optional<TypeRef> column_type(const TableName& table, const std::string& column) const;

  /// Whether a validated CHECK (column IS NOT NULL) on `table` covers `column`, so that SET NOT
  /// NULL needs no scan (PostgreSQL 12 and later).
  bool not_null_proven(const TableName& table, const std::string& column) const;

 private:
  struct Table {
    TableName name;
    std::map<std::string, TypeRef> columns;
  };
  struct NotNullCheck {
    std::string column;
    bool validated = false;
  };

  void create_table(const Node& create);
  void alter_table(const Node& alter);
  void rename(const Node& rename);
  void drop(const Node& drop);
  void add_check(const std::string& table, const Node& constraint);

  std::map<std::string, Table> tables_;  ///< By TableName::key().
  std::set<std::string> new_tables_;
  std::map<std::string, TableName> indexes_;  ///< Index name -> its table.
  std::set<std::string> new_indexes_;
  std::map<std::string, NotNullCheck> not_null_checks_;  ///< By "table key/constraint".
};

}  // namespace ag::checks::lint
