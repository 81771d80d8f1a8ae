// The catalog facts that snapshots, fingerprints and diffs are made of, described once.
//
// Every kind of object is one row of object_kinds(): how to find it in the catalogs, how it is
// identified (schema, parent, name: never an OID, so two databases built by the same DDL agree)
// and which attributes are compared, each with the SQL that reads it and the way a diff line
// says it. facts_query() reads every kind's rows; fingerprint_query() hashes the same facts on
// the server, some read more cheaply from raw catalog values (see fingerprint_sql), so that
// equal fingerprints mean equal snapshots (up to a 64-bit hash collision). The converse holds
// for databases built by the same DDL; a state reached another way (a column dropped and added
// back) may fingerprint differently yet snapshot equal: compare snapshots to be sure.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.h"
#include "util/result.h"

namespace ag::pg {

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
  /// For the fingerprint, when `sql` costs more than it needs to (deparsing, printing arrays as
  /// text): a cheaper expression of raw catalog values that is equal on two objects only if `sql`
  /// is (together with the kind's fingerprint_extra_sql and the other objects' facts). Any type
  /// PostgreSQL can hash (not pg_node_tree, and not aclitem, whose hash is a weak sum: print
  /// those). Empty: `sql`.
  std::string_view fingerprint_sql = {};
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
  /// Hashed into the fingerprint only: what fingerprint_sql expressions of this or other kinds
  /// rely on (column numbers, which index and constraint keys refer to). Never in a diff. Empty:
  /// nothing.
  std::string_view fingerprint_extra_sql = {};
};

/// Every kind, in the order diff lines list them.
std::span<const ObjectKind> object_kinds();

/// The kind with `id`, or nullptr.
const ObjectKind* find_object_kind(std::string_view id);

/// Rows of (kind, schema, parent, name, a1 .. aN) for every object; attributes in the kind's
/// order, NULL-padded to N.
std::string facts_query(const SnapshotOptions& options);

/// One row: a 64-bit hash of every object's facts (fingerprint_sql where given) summed, so that
/// no sort is needed, and the number of objects. Databases built by the same DDL fingerprint
/// equal. `server_version` as PQserverVersion() gives it: how a row is hashed depends on it, so
/// fingerprints compare only between servers of one version. Expressions are deparsed, which
/// opens (and locks, for an instant) their tables.
std::string fingerprint_query(const SnapshotOptions& options, int server_version);

/// As fingerprint_query(), but of the catalog rows as they are stored, for comparing states of
/// one database only: every column is read under the query's snapshot (expressions as node
/// trees, other objects by OID; catalog caches, which see the latest committed state, are never
/// asked for a row's own facts) and no user table is opened or locked, so it may run while
/// another session changes the database and commits. An object dropped and made again (a table
/// recreated, a column added back) stores new OIDs and numbers, so the fingerprint may differ
/// though snapshots are equal: the caller compares snapshots to be sure.
///
/// Rows of (relation, sum, count), the sums to be added up by the caller: one per relation the
/// snapshot covers (tables, views, sequences: `relation` its OID), of the hashes of its own
/// catalog rows and those of its columns, indexes, constraints, triggers, policies, comments
/// (whatever changes them locks the relation or one of its indexes); one (`relation` NULL) of
/// everything else; and one (`relation` -1) whose sum adds up the OIDs of every such relation
/// and whose count is their number. Counts are of rows. With `touched_only`, relations get a row
/// only if they or one of their indexes are among $1 (an oid[]: what a transaction locked); the
/// other two rows are always whole.
std::string stored_fingerprint_query(const SnapshotOptions& options, int server_version,
                                     bool touched_only);

/// Runs a catalog query read-only, with the settings that change how definitions print fixed
/// (search_path = public, so public objects print unqualified; DateStyle, IntervalStyle, ...),
/// so that the same catalog always reads the same. Prepared once per connection.
/// Contract: `connection` is idle (not inside a transaction block).
Result<QueryResult> query_catalog(Connection& connection, const std::string& sql);

/// A catalog read in two halves, for a catalog that other sessions are changing: pin_catalog()
/// opens query_catalog()'s transaction at REPEATABLE READ and takes its snapshot now (one round
/// trip); statements run on the connection afterwards (exec_cached(), any number) read the
/// catalog as it was when pinned, however long after and whatever other sessions committed
/// meanwhile; end_catalog_read() ends the transaction. What they read through the catalog caches
/// (pg_get_*def(), format_type(), ::regclass) is the latest committed. Statements are planned
/// (when first run on the connection) for reading whole catalogs, as plan_for_whole_catalogs()
/// sets, or else for looking a few rows up by index.
/// Contract: pin_catalog() on an idle connection; until end_catalog_read() the connection is
/// used for nothing else (from any one thread at a time).
Status pin_catalog(Connection& connection, bool whole_catalogs);
Status end_catalog_read(Connection& connection);

/// From now to the end of the transaction, statements first run (planned) on `connection` read
/// catalogs whole and join them by hashing, not by nested loops of index lookups: the planner
/// cannot tell which is right from a scratch database's catalog statistics (see the definition).
Status plan_for_whole_catalogs(Connection& connection);

}  // namespace ag::pg
