// Where a drift finding points: the line of the models that defines the table, column, index or
// constraint concerned, else env.py's `target_metadata` line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alembic/model_comparison.h"
#include "project/project.h"

namespace ag::checks::drift {

/// A repository-relative file and a 1-based line (0: the file as a whole).
struct SourceLine {
  std::string file;
  int line = 0;
};

/// Looks up the places the worker reported (alembic::TableSource). Schemas are as Alembic names
/// them: empty for the default schema.
class ModelPlaces {
 public:
  /// Keeps references: both must outlive this object.
  ModelPlaces(const alembic::ModelComparison& comparison, const project::Project& project);

  /// The mapped class or Table(...) call of the table; env.py when the models have no such table.
  SourceLine table(std::string_view schema, std::string_view table) const;
  /// The column's attribute or Column(...) line; else its table's place.
  SourceLine column(std::string_view schema, std::string_view table, std::string_view column) const;
  /// An index or constraint: where its name is written; else its only column's line; else its
  /// table's place.
  SourceLine object(std::string_view schema, std::string_view table, std::string_view name,
                    const std::vector<std::string>& columns) const;
  /// A type create_all() makes itself (alembic::ModelType): the first column that uses it; else
  /// env.py.
  SourceLine type(std::string_view schema, std::string_view name) const;
  /// env.py, at its `target_metadata =` line when there is one.
  SourceLine env_py() const;

 private:
  const alembic::TableSource* find(std::string_view schema, std::string_view table) const;
  SourceLine relative(const alembic::SourcePlace& place) const;

  const alembic::ModelComparison& comparison_;
  const project::Project& project_;
};

}  // namespace ag::checks::drift
