#include "checks/drift_strict.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "alembic/error_summary.h"
#include "pg/snapshot.h"
#include "pg/snapshot_diff.h"

namespace ag::checks {
namespace {

using alembic::ModelComparison;
using alembic::ModelDifference;

/// What models can declare; the rest (functions, triggers, views, extensions, policies, domains,
/// privileges of other objects) only migrations make, so comparing it would only report that.
constexpr std::array<std::string_view, 7> kComparedKinds = {
    "table", "column", "constraint", "index", "sequence", "enum type", "comment"};

constexpr std::string_view kHelp =
    "autogenerate does not compare this; make the migrations and the models agree (a migration "
    "with op.alter_column / op.execute, or a change to the model)";

Severity strict_severity(const config::Settings& settings) {
  if (settings.drift_strict_severity == "error") return Severity::error;
  if (settings.drift_strict_severity == "notice") return Severity::notice;
  return Severity::warning;
}

/// The table an object belongs to ("" for sequences, enum types and comments on neither).
const std::string& table_of(const pg::ObjectKey& key) {
  return key.kind == "table" ? key.name : key.parent;
}

/// Whether autogenerate reported the object already (its table, column, index or constraint).
bool reported(const pg::ObjectKey& key, const ModelComparison& comparison,
              const std::string& default_schema) {
  return std::any_of(
      comparison.differences.begin(), comparison.differences.end(), [&](const ModelDifference& d) {
        if ((d.schema.empty() ? default_schema : d.schema) != key.schema) return false;
        if (d.op == "add_table" || d.op == "remove_table") return d.table == table_of(key);
        if (d.table != key.parent || d.name != key.name) return false;
        bool column_op = d.op.ends_with("_column") || d.op.starts_with("modify_");
        return key.kind == "column" ? column_op
                                    : (key.kind == "index" || key.kind == "constraint") &&
                                          !column_op && !d.name.empty();
      });
}

/// A sequence a column owns (serial): its column's default says all there is to compare.
bool owned_sequence(const pg::ObjectKey& key, const pg::Attributes& attributes) {
  if (key.kind != "sequence") return false;
  const std::vector<pg::AttributeSpec>& specs = pg::find_object_kind(key.kind)->attributes;
  auto owner = std::find_if(specs.begin(), specs.end(),
                            [](const pg::AttributeSpec& spec) { return spec.name == "owned by"; });
  size_t index = static_cast<size_t>(owner - specs.begin());
  return owner != specs.end() && index < attributes.size() && attributes[index].has_value();
}

/// The objects both catalogs are compared on.
pg::Snapshot comparable(const pg::Snapshot& snapshot, const ModelComparison& comparison,
                        const std::string& default_schema) {
  bool all_schemas =
      std::any_of(comparison.databases.begin(), comparison.databases.end(),
                  [](const alembic::ComparedDatabase& d) { return d.include_schemas; });
  pg::Snapshot kept;
  for (const auto& [key, attributes] : snapshot.objects) {
    if (std::find(kComparedKinds.begin(), kComparedKinds.end(), key.kind) == kComparedKinds.end())
      continue;
    if (!all_schemas && key.schema != default_schema) continue;
    if (owned_sequence(key, attributes) || reported(key, comparison, default_schema)) continue;
    kept.objects.emplace(key, attributes);
  }
  return kept;
}

pg::SnapshotOptions snapshot_options(const ModelComparison& comparison) {
  pg::SnapshotOptions options;
  for (const alembic::ComparedDatabase& database : comparison.databases)
    options.excluded_tables.push_back(database.version_table);
  options.excluded_tables.insert(options.excluded_tables.end(), comparison.excluded_tables.begin(),
                                 comparison.excluded_tables.end());
  return options;
}

SourceLine place_of(const pg::ObjectKey& key, const ModelPlaces& places,
                    const std::string& default_schema) {
  std::string schema = key.schema == default_schema ? "" : key.schema;
  if (key.kind == "column") return places.column(schema, key.parent, key.name);
  if (key.kind == "index" || key.kind == "constraint")
    return places.object(schema, key.parent, key.name, {});
  if (!table_of(key).empty()) return places.table(schema, table_of(key));
  return places.env_py();
}

}  // namespace

Result<Findings> compare_catalogs(const CheckContext& context, Sandbox& migrated,
                                  const ModelComparison& comparison, const ModelPlaces& places) {
  Severity severity = strict_severity(context.settings);
  auto finding = [&](const SourceLine& place, std::string message, std::string_view help) {
    return Finding{"drift",    "drift-strict", severity, std::move(message), place.file,
                   place.line, place.line,     "",       std::string(help)};
  };
  Result<std::unique_ptr<Sandbox>> built = context.workspace.open_another();
  if (!built) return built.error();
  if (Status created = (*built)->worker().create_models(); !created) {
    if (!(*built)->worker().running()) return created.error();
    const Error& error = created.error();
    if (!error.detail.empty()) context.log(error.detail);
    SourceLine place = error.where.empty()
                           ? places.env_py()
                           : SourceLine{context.project.relative(error.where), error.line};
    return Findings{finding(place,
                            "the models cannot be built with metadata.create_all() on an empty "
                            "database: " +
                                alembic::summarize_error(error.message),
                            "declare in the models every table they reference")};
  }
  pg::SnapshotOptions options = snapshot_options(comparison);
  Result<pg::Snapshot> from_migrations = pg::take_snapshot(migrated.catalog(), options);
  if (!from_migrations) return from_migrations.error();
  Result<pg::Snapshot> from_models = pg::take_snapshot((*built)->catalog(), options);
  if (!from_models) return from_models.error();

  std::string default_schema =
      comparison.databases.empty() ? "public" : comparison.databases.front().default_schema;
  Findings findings;
  for (const pg::Difference& difference :
       pg::diff_objects(comparable(*from_migrations, comparison, default_schema),
                        comparable(*from_models, comparison, default_schema),
                        {"in the migrations", "in the models"})) {
    findings.push_back(
        finding(place_of(difference.key, places, default_schema), difference.line, kHelp));
  }
  return findings;
}

}  // namespace ag::checks
