// What drift-strict recreates before metadata.create_all(): models use what only migrations make
// (an extension's type or function, an enum type declared with create_type=False, a domain), so
// an empty database cannot build them. The migrated database's extensions, and its enum types and
// domains that create_all() does not make itself, are recreated from its catalog snapshot first;
// the enum types the models do make are left to them, so that their values are compared.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "alembic/model_comparison.h"
#include "catalog/snapshot.h"

namespace ag::checks::drift {

/// The SQL statements, one each, that recreate in an empty database: the schemas of what follows;
/// every extension of `migrated` but plpgsql (always there), in its schema and version; its enum
/// types (values in order) and domains (base type, collation, default, NOT NULL, constraints)
/// except those `created` names (what create_all() makes itself; a type without a schema there
/// lands in one of `default_schemas`). In that order (a domain may be over an enum type or an
/// extension's type), each kind in name order: run them with run_in_dependency_order().
std::vector<std::string> prerequisite_statements(const catalog::Snapshot& migrated,
                                                 const std::vector<alembic::ModelType>& created,
                                                 const std::set<std::string>& default_schemas);

/// A statement that could not be run, and PostgreSQL's reason.
struct FailedStatement {
  std::string statement;
  Error error;
};

/// Runs `statements` on `connection` (idle: each statement commits on its own) in an order that
/// works: an object may need one whose statement comes later (a domain over a domain that sorts
/// after it; an extension requiring another, as pgrouting requires postgis). A statement that
/// fails is run again after the others, pass after pass, until a pass runs none of those left.
/// Returns those that still fail, with their last error.
std::vector<FailedStatement> run_in_dependency_order(pg::Connection& connection,
                                                     std::vector<std::string> statements);

}  // namespace ag::checks::drift
