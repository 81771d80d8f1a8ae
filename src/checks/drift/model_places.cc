#include "checks/drift/model_places.h"

#include <algorithm>

namespace ag::checks::drift {

ModelPlaces::ModelPlaces(const alembic::ModelComparison& comparison,
                         const project::Project& project)
    : comparison_(comparison), project_(project) {}

SourceLine ModelPlaces::table(std::string_view schema, std::string_view table) const {
  const alembic::TableSource* source = find(schema, table);
  return source != nullptr && !source->place.file.empty() ? relative(source->place) : env_py();
}

SourceLine ModelPlaces::column(std::string_view schema, std::string_view table,
                               std::string_view column) const {
  const alembic::TableSource* source = find(schema, table);
  if (source == nullptr) return env_py();
  auto found = source->columns.find(std::string(column));
  return found != source->columns.end() ? relative(found->second) : this->table(schema, table);
}

SourceLine ModelPlaces::object(std::string_view schema, std::string_view table,
                               std::string_view name,
                               const std::vector<std::string>& columns) const {
  const alembic::TableSource* source = find(schema, table);
  if (source == nullptr) return env_py();
  auto found = source->objects.find(std::string(name));
  if (found != source->objects.end()) return relative(found->second);
  if (columns.size() == 1) return column(schema, table, columns.front());
  return this->table(schema, table);
}

SourceLine ModelPlaces::type(std::string_view schema, std::string_view name) const {
  if (!comparison_.types) return env_py();
  const std::vector<alembic::ModelType>& types = *comparison_.types;
  auto found = std::find_if(types.begin(), types.end(), [&](const alembic::ModelType& type) {
    return type.schema == schema && type.name == name;
  });
  if (found == types.end() || found->table.empty()) return env_py();
  return column(found->table_schema, found->table, found->column);
}

SourceLine ModelPlaces::env_py() const {
  return {project_.relative(comparison_.env_py), comparison_.metadata_line};
}

const alembic::TableSource* ModelPlaces::find(std::string_view schema,
                                              std::string_view table) const {
  auto found = std::find_if(comparison_.models.begin(), comparison_.models.end(),
                            [&](const alembic::TableSource& source) {
                              return source.schema == schema && source.table == table;
                            });
  return found == comparison_.models.end() ? nullptr : &*found;
}

SourceLine ModelPlaces::relative(const alembic::SourcePlace& place) const {
  return {project_.relative(place.file), place.line};
}

}  // namespace ag::checks::drift
