#include "checks/drift/strict_prerequisites.h"

#include <fmt/format.h>

#include <algorithm>

#include "pg/connection.h"

namespace ag::checks::drift {
namespace {

using catalog::attribute_of;

std::string qualified_name(const std::string& schema, const std::string& name) {
  return pg::quote_identifier(schema) + "." + pg::quote_identifier(name);
}

bool made_by_models(const catalog::ObjectKey& key, const std::vector<alembic::ModelType>& created,
                    const std::set<std::string>& default_schemas) {
  return std::any_of(created.begin(), created.end(), [&](const alembic::ModelType& type) {
    bool same_schema =
        type.schema.empty() ? default_schemas.contains(key.schema) : type.schema == key.schema;
    return type.name == key.name && same_schema;
  });
}

std::string create_extension(const catalog::ObjectKey& key, const catalog::Attributes& values) {
  std::string sql = "CREATE EXTENSION IF NOT EXISTS " + pg::quote_identifier(key.name);
  if (std::optional<std::string> schema = attribute_of(key, values, "schema"))
    sql += " WITH SCHEMA " + pg::quote_identifier(*schema);
  if (std::optional<std::string> version = attribute_of(key, values, "version"))
    sql += " VERSION " + pg::quote_literal(*version);
  return sql;
}

std::string create_enum(const catalog::ObjectKey& key, const catalog::Attributes& values) {
  // The snapshot's values are quoted literals already, in their sort order.
  return fmt::format("CREATE TYPE {} AS ENUM ({})", qualified_name(key.schema, key.name),
                     attribute_of(key, values, "values").value_or(""));
}

std::string create_domain(const catalog::ObjectKey& key, const catalog::Attributes& values) {
  std::string sql = fmt::format("CREATE DOMAIN {} AS {}", qualified_name(key.schema, key.name),
                                attribute_of(key, values, "base type").value_or("text"));
  if (std::optional<std::string> collation = attribute_of(key, values, "collation"))
    sql += " COLLATE " + *collation;
  if (std::optional<std::string> fallback = attribute_of(key, values, "default"))
    sql += " DEFAULT " + *fallback;
  if (attribute_of(key, values, "nullability") == "not null") sql += " NOT NULL";
  return sql;
}

/// NOT NULL is the domain's own clause (PostgreSQL 17 also lists it as a constraint).
std::optional<std::string> add_domain_constraint(const catalog::ObjectKey& key,
                                                 const catalog::Attributes& values) {
  if (attribute_of(key, values, "kind") == "not null") return std::nullopt;
  std::string sql = fmt::format(
      "ALTER DOMAIN {} ADD CONSTRAINT {} {}", qualified_name(key.schema, key.parent),
      pg::quote_identifier(key.name), attribute_of(key, values, "definition").value_or(""));
  if (attribute_of(key, values, "validation") == "not valid") sql += " NOT VALID";
  return sql;
}

}  // namespace

std::vector<std::string> prerequisite_statements(const catalog::Snapshot& migrated,
                                                 const std::vector<alembic::ModelType>& created,
                                                 const std::set<std::string>& default_schemas) {
  std::set<std::string> schemas;
  std::vector<std::string> extensions, types, domains;
  // The snapshot is ordered by kind: every "domain" comes before the "domain constraint"s.
  for (const auto& [key, values] : migrated.objects) {
    if (key.kind == "extension" && key.name != "plpgsql") {
      extensions.push_back(create_extension(key, values));
      schemas.insert(attribute_of(key, values, "schema").value_or("public"));
    } else if (key.kind == "enum type" && !made_by_models(key, created, default_schemas)) {
      schemas.insert(key.schema);
      types.push_back(create_enum(key, values));
    } else if (key.kind == "domain" && !made_by_models(key, created, default_schemas)) {
      schemas.insert(key.schema);
      domains.push_back(create_domain(key, values));
    } else if (key.kind == "domain constraint" &&
               !made_by_models({"domain", key.schema, "", key.parent}, created, default_schemas)) {
      if (std::optional<std::string> sql = add_domain_constraint(key, values))
        domains.push_back(*sql);
    }
  }
  std::vector<std::string> statements;
  for (const std::string& schema : schemas) {
    if (schema.starts_with("pg_")) continue;  // pg_catalog: there, and not to be created
    statements.push_back("CREATE SCHEMA IF NOT EXISTS " + pg::quote_identifier(schema));
  }
  for (std::vector<std::string>* part : {&extensions, &types, &domains})
    statements.insert(statements.end(), part->begin(), part->end());
  return statements;
}

std::vector<FailedStatement> run_in_dependency_order(pg::Connection& connection,
                                                     std::vector<std::string> statements) {
  std::vector<FailedStatement> failed;
  while (!statements.empty()) {
    failed.clear();
    for (const std::string& statement : statements) {
      if (Status ran = connection.run(statement); !ran) failed.push_back({statement, ran.error()});
    }
    if (failed.size() == statements.size()) break;  // no progress: nothing else will help
    statements.clear();
    for (const FailedStatement& failure : failed) statements.push_back(failure.statement);
  }
  return failed;
}

}  // namespace ag::checks::drift
