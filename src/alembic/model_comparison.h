// What Alembic's autogenerate comparison found between the models and a database at the heads,
// and where the models define their tables: the facts of the worker's "drift" request
// (worker/worker.py, Worker.drift). The drift check turns them into findings.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace ag::alembic {

/// One difference, in the terms of Alembic's compare_metadata() format.
struct ModelDifference {
  std::string op;      ///< As Alembic names it: "add_column", "remove_index", "modify_type", ...
  std::string schema;  ///< Empty for the default schema.
  std::string table;
  std::string name;  ///< The column, index or constraint; empty for an unnamed constraint.
  std::vector<std::string> columns;  ///< Of an index or constraint.
  /// Constraints: "unique", "check", "foreign key", "primary key"; indexes: "unique" or "".
  std::string kind;
  /// The database's value and the models' value: types and server defaults as SQL,
  /// nullability as "nullable" / "not null", comments as text; nullopt for none.
  std::optional<std::string> from, to;
  std::string referred_table;  ///< Foreign keys.
  std::vector<std::string> referred_columns;
  std::string text;  ///< Any other op: Alembic's tuple as text.
};

struct SourcePlace {
  std::filesystem::path file;  ///< Absolute; empty when unknown.
  int line = 0;
};

/// Where the models define a table: the mapped class or the Table(...) call.
struct TableSource {
  std::string schema;  ///< Empty for the default schema.
  std::string table;
  SourcePlace place;
  std::map<std::string, SourcePlace> columns;  ///< By name: the attribute or Column(...) line.
  std::map<std::string, SourcePlace> objects;  ///< Index or constraint name: where it is written.
};

/// Something env.py's include_object or include_name left out of the comparison.
struct ExcludedObject {
  /// As Alembic names it: "schema", "table", "column", "index", "unique_constraint",
  /// "foreign_key_constraint", ...
  std::string type;
  std::string schema;  ///< Always named: the database's default schema too.
  std::string table;   ///< The table it belongs to, or the table itself; empty for a schema.
  std::string name;
};

/// A named type (an enum type; a domain with SQLAlchemy 2.0) that metadata.create_all() creates
/// itself, and the first column that uses it.
struct ModelType {
  std::string schema;  ///< Empty for the default schema.
  std::string name;
  std::string table_schema;  ///< Of the column's table; empty for the default schema.
  std::string table;         ///< Empty when no column uses it (a MetaData-level type).
  std::string column;
};

/// One context.run_migrations() of env.py: several for an env.py that migrates several databases.
struct ComparedDatabase {
  std::vector<std::string> current;  ///< The revisions in its version table.
  bool up_to_date = false;           ///< At the heads, so compared.
  bool has_metadata = false;         ///< env.py gave it a target_metadata.
  std::string version_table;         ///< "alembic_version", or "schema.table".
  bool include_schemas = false;
  std::string default_schema;  ///< Of the connection: "public".
};

struct ModelComparison {
  std::vector<ComparedDatabase> databases;
  std::vector<ModelDifference> differences;
  std::vector<ExcludedObject> excluded;  ///< What env.py's filters left out.
  std::vector<TableSource> models;       ///< Every table of every target_metadata.
  /// The types create_all() makes itself, when asked for (strict mode) and SQLAlchemy could tell.
  std::optional<std::vector<ModelType>> types;
  /// Why `types` is unknown though asked for: the models' DDL event listeners failed when
  /// create_all() ran on a mock engine (at the listener's line).
  std::optional<Error> types_error;
  std::filesystem::path env_py;
  int metadata_line = 0;  ///< Of the `target_metadata = ...` assignment in env.py; 0: not found.

  bool up_to_date() const {
    return std::all_of(databases.begin(), databases.end(),
                       [](const ComparedDatabase& d) { return d.up_to_date; });
  }
  /// No revision has been applied to any database yet (a fresh scratch database).
  bool nothing_applied() const {
    return std::all_of(databases.begin(), databases.end(),
                       [](const ComparedDatabase& d) { return d.current.empty(); });
  }
  bool has_metadata() const {
    return std::any_of(databases.begin(), databases.end(),
                       [](const ComparedDatabase& d) { return d.has_metadata; });
  }
};

}  // namespace ag::alembic
