#include "checks/drift/drift_strict.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <vector>

#include "alembic/error_summary.h"
#include "catalog/snapshot.h"
#include "catalog/snapshot_diff.h"
#include "checks/drift/strict_prerequisites.h"

namespace ag::checks::drift {
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

/// Where the comparison looks: the default schema of every database env.py compares (several for
/// a multi-database env.py whose connections have their own search_path); Alembic names none of
/// them (an empty schema), and names every other schema.
class Schemas {
 public:
  explicit Schemas(const ModelComparison& comparison) {
    for (const alembic::ComparedDatabase& database : comparison.databases) {
      defaults_.insert(database.default_schema.empty() ? "public" : database.default_schema);
      all_ = all_ || database.include_schemas;
    }
    if (defaults_.empty()) defaults_.insert("public");
  }

  const std::set<std::string>& defaults() const { return defaults_; }
  /// Whether objects of `schema` are compared: every schema when env.py sets include_schemas.
  bool compared(const std::string& schema) const { return all_ || defaults_.contains(schema); }
  /// Whether Alembic's `schema` (empty: a default one) names the catalog's `schema`.
  bool same(const std::string& alembic_schema, const std::string& schema) const {
    return alembic_schema.empty() ? defaults_.contains(schema) : alembic_schema == schema;
  }
  /// The catalog's `schema` as Alembic and the models name it.
  std::string alembic_name(const std::string& schema) const {
    return defaults_.contains(schema) ? "" : schema;
  }

 private:
  std::set<std::string> defaults_;
  bool all_ = false;
};

/// The table an object belongs to ("" for sequences, enum types and comments on neither).
const std::string& table_of(const catalog::ObjectKey& key) {
  return key.kind == "table" ? key.name : key.parent;
}

/// Whether autogenerate reported the object already (its table, column, index or constraint).
bool reported(const catalog::ObjectKey& key, const ModelComparison& comparison,
              const Schemas& schemas) {
  return std::any_of(
      comparison.differences.begin(), comparison.differences.end(), [&](const ModelDifference& d) {
        if (!schemas.same(d.schema, key.schema)) return false;
        if (d.op == "add_table" || d.op == "remove_table") return d.table == table_of(key);
        if (d.table != key.parent || d.name != key.name) return false;
        bool column_op = d.op.ends_with("_column") || d.op.starts_with("modify_");
        return key.kind == "column" ? column_op
                                    : (key.kind == "index" || key.kind == "constraint") &&
                                          !column_op && !d.name.empty();
      });
}

/// How a description (pg_describe_object()) writes the identifier `name`, as quote_ident() does:
/// quoted, unless it reads as an identifier; then plainly, or quoted when it is a keyword.
std::vector<std::string> identifier_spellings(const std::string& name) {
  auto lower_or_underscore = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  bool plain = !name.empty() && lower_or_underscore(name[0]) &&
               std::all_of(name.begin(), name.end(), [&](char c) {
                 return lower_or_underscore(c) || (c >= '0' && c <= '9');
               });
  std::vector<std::string> spellings{pg::quote_identifier(name)};
  if (plain) spellings.push_back(name);
  return spellings;
}

/// How a description writes the relation `name` of `schema`: qualified unless in public (the
/// snapshot's search_path).
std::vector<std::string> relation_spellings(const std::string& schema, const std::string& name) {
  std::vector<std::string> names = identifier_spellings(name);
  if (schema == "public") return names;
  std::vector<std::string> qualified;
  for (const std::string& schema_name : identifier_spellings(schema))
    for (const std::string& relation : names) qualified.push_back(schema_name + "." + relation);
  return qualified;
}

/// Whether `key`, of the kind "comment" (a comment on a table, view or sequence, one of its
/// columns or indexes, named as pg_describe_object() names it: "column email of table users",
/// "index app.ix_users_email"; its parent the table), is on what `object` excluded: the table,
/// the column, the index (or the index of a unique constraint).
bool comment_on(const catalog::ObjectKey& key, const alembic::ExcludedObject& object) {
  if (key.parent != object.table) return false;
  if (object.type == "table") return true;
  std::vector<std::string> names;
  if (object.type == "column") {
    for (std::string_view relation_kind : {"table", "foreign table", "view", "materialized view"})
      for (const std::string& relation : relation_spellings(key.schema, object.table))
        names.push_back(fmt::format("column {} of {} {}", object.name, relation_kind, relation));
  } else {
    for (const std::string& index : relation_spellings(key.schema, object.name))
      names.push_back("index " + index);
  }
  return std::find(names.begin(), names.end(), key.name) != names.end();
}

/// Whether env.py's include_object or include_name left the object out: a column it excluded,
/// an index or constraint it excluded (by its name on the table, whatever Alembic called it: a
/// unique constraint is also an index), a comment on any of them or on an excluded table,
/// anything in a schema it excluded. Excluded tables are left out of the snapshots already
/// (snapshot_options).
bool excluded(const catalog::ObjectKey& key, const ModelComparison& comparison) {
  return std::any_of(
      comparison.excluded.begin(), comparison.excluded.end(),
      [&](const alembic::ExcludedObject& object) {
        if (object.schema != key.schema) return false;
        if (object.type == "schema") return true;
        if (key.kind == "comment") return comment_on(key, object);
        if (object.type == "table" || object.table != key.parent || object.name != key.name)
          return false;
        return object.type == "column" ? key.kind == "column"
                                       : key.kind == "index" || key.kind == "constraint";
      });
}

/// A sequence a column owns (serial): its column's default says all there is to compare.
bool owned_sequence(const catalog::ObjectKey& key, const catalog::Attributes& attributes) {
  return key.kind == "sequence" && catalog::attribute_of(key, attributes, "owned by").has_value();
}

/// The objects both catalogs are compared on.
catalog::Snapshot comparable(const catalog::Snapshot& snapshot, const ModelComparison& comparison,
                             const Schemas& schemas) {
  catalog::Snapshot kept;
  for (const auto& [key, attributes] : snapshot.objects) {
    if (std::find(kComparedKinds.begin(), kComparedKinds.end(), key.kind) == kComparedKinds.end())
      continue;
    if (!schemas.compared(key.schema) || owned_sequence(key, attributes)) continue;
    if (reported(key, comparison, schemas) || excluded(key, comparison)) continue;
    kept.objects.emplace(key, attributes);
  }
  return kept;
}

catalog::SnapshotOptions snapshot_options(const ModelComparison& comparison) {
  catalog::SnapshotOptions options;
  for (const alembic::ComparedDatabase& database : comparison.databases)
    options.excluded_tables.push_back(database.version_table);
  for (const alembic::ExcludedObject& object : comparison.excluded)
    if (object.type == "table")
      options.excluded_tables.push_back(object.schema + "." + object.table);
  return options;
}

SourceLine place_of(const catalog::ObjectKey& key, const ModelPlaces& places,
                    const Schemas& schemas) {
  std::string schema = schemas.alembic_name(key.schema);
  if (key.kind == "column") return places.column(schema, key.parent, key.name);
  if (key.kind == "index" || key.kind == "constraint")
    return places.object(schema, key.parent, key.name, {});
  if (key.kind == "enum type") return places.type(schema, key.name);
  if (!table_of(key).empty()) return places.table(schema, table_of(key));
  return places.env_py();
}

/// The types create_all() makes itself. When SQLAlchemy could not tell (a DDL event listener of
/// the models failed on its mock engine), none, and the log says what that costs: every enum
/// type of the migrations is made first, and create_all() skips those it finds.
std::vector<alembic::ModelType> types_made_by_models(const CheckContext& context,
                                                     const ModelComparison& comparison) {
  if (comparison.types) return *comparison.types;
  Error why = comparison.types_error.value_or(Error{"the worker gave no reason"});
  std::string at =
      why.line > 0 ? fmt::format(" (at {}:{})", context.project.relative(why.where), why.line) : "";
  context.log(fmt::format(
      "drift-strict: could not tell which enum types metadata.create_all() creates itself: {}{}; "
      "every enum type of the migrations is made first, so the values of those the models "
      "declare are not compared",
      alembic::summarize_error(why.message), at));
  return {};
}

/// Recreates in `built` what the models use but only the migrations make (strict_prerequisites.h),
/// in an order that works. What still fails is logged: create_all() then says what it missed.
void recreate_prerequisites(const CheckContext& context, sandbox::Sandbox& built,
                            const catalog::Snapshot& migrated, const ModelComparison& comparison,
                            const Schemas& schemas) {
  for (const FailedStatement& failed : run_in_dependency_order(
           built.catalog(),
           prerequisite_statements(migrated, types_made_by_models(context, comparison),
                                   schemas.defaults()))) {
    context.log(fmt::format(
        "drift-strict: could not recreate in the models' database what the migrations made ({}): "
        "{}",
        failed.statement, failed.error.message));
  }
}

}  // namespace

Result<Findings> compare_catalogs(const CheckContext& context, sandbox::Sandbox& migrated,
                                  const ModelComparison& comparison, const ModelPlaces& places) {
  Severity severity = context.settings.drift_strict_severity;
  auto finding = [&](const SourceLine& place, std::string message, std::string_view help) {
    return Finding{.check = "drift",
                   .rule = "drift-strict",
                   .severity = severity,
                   .message = std::move(message),
                   .file = place.file,
                   .line = place.line,
                   .end_line = place.line,
                   .help = std::string(help)};
  };
  Schemas schemas(comparison);
  catalog::SnapshotOptions options = snapshot_options(comparison);
  Result<catalog::Snapshot> from_migrations = catalog::take_snapshot(migrated.catalog(), options);
  if (!from_migrations) return from_migrations.error();
  Result<std::unique_ptr<sandbox::Sandbox>> built = context.workspace.open_another();
  if (!built) return built.error();
  recreate_prerequisites(context, **built, *from_migrations, comparison, schemas);
  if (Status created = (*built)->worker().create_models(); !created) {
    const Error& error = created.error();
    if (!(*built)->worker().running()) return error;
    if (alembic::is_alembic_incompatibility(error)) return Error{error.message};
    if (!error.detail.empty()) context.log(error.detail);
    SourceLine place = error.where.empty()
                           ? places.env_py()
                           : SourceLine{context.project.relative(error.where), error.line};
    return Findings{finding(place,
                            "the models cannot be built with metadata.create_all() in a database "
                            "holding only the migrations' extensions, enum types and domains: " +
                                alembic::summarize_error(error.message),
                            "declare in the models every table they reference")};
  }
  Result<catalog::Snapshot> from_models = catalog::take_snapshot((*built)->catalog(), options);
  if (!from_models) return from_models.error();

  Findings findings;
  for (const catalog::Difference& difference : catalog::diff_objects(
           comparable(*from_migrations, comparison, schemas),
           comparable(*from_models, comparison, schemas), {"in the migrations", "in the models"})) {
    findings.push_back(finding(place_of(difference.key, places, schemas), difference.line, kHelp));
  }
  return findings;
}

}  // namespace ag::checks::drift
