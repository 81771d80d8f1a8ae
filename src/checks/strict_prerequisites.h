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
#include "pg/snapshot.h"

namespace ag::checks {

/// The SQL statements, one each, that recreate in an empty database: the schemas of what follows;
/// every extension of `migrated` but plpgsql (always there), in its schema and version; its enum
/// types (values in order) and domains (base type, collation, default, NOT NULL, constraints)
/// except those `created` names (what create_all() makes itself; a type without a schema there
/// lands in one of `default_schemas`). In that order: a domain may be over an enum type or an
/// extension's type.
std::vector<std::string> prerequisite_statements(const pg::Snapshot& migrated,
                                                 const std::vector<alembic::ModelType>& created,
                                                 const std::set<std::string>& default_schemas);

}  // namespace ag::checks
