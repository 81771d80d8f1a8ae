// The catalog facts that snapshots, the roundtrip's readings and diffs are made of, described
// once.
//
// Every kind of object is one row of object_kinds(): how to find it in the catalogs, how it is
// identified (schema, parent, name: never an OID, so two databases built by the same DDL agree,
// and so does an object dropped and made again) and which attributes are compared, each with the
// SQL that reads it and the way a diff line says it. facts_query() reads every kind's rows;
// relation_facts_function() the same facts, grouped by the relation they belong to, from inside
// a migration's transaction.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.h"
#include "util/result.h"

namespace ag::catalog {

/// What snapshots leave out besides system schemas (pg_catalog, information_schema, pg_toast,
/// pg_temp_*) and extension members.
struct SnapshotOptions {
  /// Tables not compared, with their columns, constraints, indexes and triggers: Alembic's
  /// version table. "name" matches in any schema, "schema.name" in that one.
  std::vector<std::string> excluded_tables = {"alembic_version"};
};

/// How an attribute reads in a diff line.
enum class AttributeStyle {
  named,  ///< "default 0 before, none after"
  bare,   ///< values that read alone: "nullable before, not null after"
  type,   ///< named, long type names shortened: "type varchar(100) before, varchar(200) after"
  text,   ///< long, multi-line (definitions, bodies): the first differing line is shown
};

struct AttributeSpec {
  std::string_view name;
  AttributeStyle style;
  std::string_view sql;  ///< An expression over the kind's FROM clause; NULL when absent.
};

/// How a diff line names an object of a kind.
enum class Naming {
  plain,      ///< "table users", "schema app", "function add(integer, integer)"
  dotted,     ///< "column users.email"
  on_parent,  ///< "index ix_users_email on users", "constraint positive on domain posint"
};

struct ObjectKind {
  std::string_view id;     ///< Unique: "table", "domain constraint".
  std::string_view label;  ///< What a diff line calls it: "constraint".
  Naming naming;
  std::string_view parent_label = {};  ///< Before the parent's name, e.g. "domain"; may be empty.
  /// The kinds the parent can be (for on_parent/dotted): a child of a table that exists on one
  /// side only is not listed on its own.
  std::vector<std::string_view> parent_kinds = {};
  std::string_view schema_sql, parent_sql, name_sql;  ///< Identity.
  std::vector<AttributeSpec> attributes;
  std::string_view from_sql;  ///< FROM ... [WHERE ...] over the query's CTEs (ns, rel, ext).
  /// The object belongs to a relation (`r` in from_sql: a table, view or sequence), whose
  /// changes lock it: the roundtrip reads it again only when that relation was touched.
  bool of_relation = false;
  /// Otherwise, the OID of what the roundtrip reads it again with: its own (a schema, a type,
  /// a routine), or the object it belongs to. A change to it writes that object's row or locks
  /// it.
  std::string_view unit_sql = {};
};

/// Every kind, in the order diff lines list them.
std::span<const ObjectKind> object_kinds();

/// The kind with `id`, or nullptr.
const ObjectKind* find_object_kind(std::string_view id);

/// Rows of (kind, schema, parent, name, a1 .. aN) for every object; attributes in the kind's
/// order, NULL-padded to N.
std::string facts_query(const SnapshotOptions& options);

/// The roundtrip's catalog reading, made inside a migration's own transaction: the definition of
/// a function `pg_temp.<name>(ag_start int8, ag_also oid[])` (plpgsql, so that its plan is made
/// once per session) returning facts_query()'s rows, each preceded by the OID of its unit: the
/// relation the object belongs to (ObjectKind::of_relation), or ObjectKind::unit_sql's (a
/// schema, an extension, a type, a routine). Definitions print as query_catalog() prints them:
/// the function fixes the settings they depend on for its own run. The text attributes of
/// objects that belong to no relation (routine bodies) come as `md5:<hash>` of the text with
/// runs of white space folded: they may be long, and a body written again with other line
/// breaks is the same.
///
/// With `touched_only`, a unit's objects are read only when it was touched since the xid counter
/// stood at `ag_start` (32 bits): it was locked by the current transaction (a relation, or an
/// object that is dropped or commented on), is in `ag_also` (touched by an earlier transaction
/// since), one of its catalog rows was written (GRANT writes relacl or proacl without a lock, ADD
/// VALUE a pg_enum row), or it names (by a dependency: a foreign key, a view, a default, a
/// column's or an argument's type) a relation, type, routine or schema touched or written.
/// Whatever changes a unit's objects locks it, one of its indexes or one of its objects, or
/// writes a row; whatever changes how a name prints writes the named object's row. A domain
/// constraint dropped leaves only a lock on the constraint, whose row is gone: every domain is
/// read then. Rows ('#touched' in the second column) list every unit touched, gone ones
/// included. Without `touched_only`, every unit is read.
std::string relation_facts_function(const SnapshotOptions& options, std::string_view name,
                                    bool touched_only);

/// Runs a catalog query read-only, with the settings that change how definitions print fixed
/// (search_path = public, so public objects print unqualified; DateStyle, IntervalStyle, ...),
/// so that the same catalog always reads the same. Prepared once per connection.
/// Contract: `connection` is idle (not inside a transaction block).
Result<pg::QueryResult> query_catalog(pg::Connection& connection, const std::string& sql);

}  // namespace ag::catalog
