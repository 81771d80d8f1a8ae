#include "pg/scratch_database.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "process/interrupts.h"
#include "util/random.h"

namespace ag::pg {
namespace {

constexpr std::string_view kInsufficientPrivilege = "42501";
constexpr std::string_view kInvalidCatalogName = "3D000";
constexpr std::string_view kObjectInUse = "55006";

Error failure(std::string message) {
  return Error{std::move(message), "", 0};
}

std::string random_name() {
  return "alembic_gate_" + random_hex(8);
}

/// Every statement's rows as text, first column only.
std::vector<std::string> first_column(const QueryResult& result) {
  std::vector<std::string> values;
  for (int row = 0; row < result.rows(); ++row) values.emplace_back(result.text(row, 0));
  return values;
}

// ---- creating ---------------------------------------------------------------------------------

// template0 is never connected to and never altered, so every scratch database starts out the
// same; encoding and locale follow the configured database, as the production one likely does.
// to_jsonb() reads the locale provider columns that only newer servers have.
constexpr std::string_view kLocaleQuery = R"sql(
SELECT pg_encoding_to_char(d.encoding), d.datcollate, d.datctype,
       to_jsonb(d) ->> 'datlocprovider',
       coalesce(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale')
FROM pg_database d WHERE d.datname = current_database())sql";

Result<std::string> create_statement(Connection& connection, const std::string& name) {
  Result<QueryResult> locale = connection.exec(std::string(kLocaleQuery));
  if (!locale) return locale.error();
  std::string sql =
      fmt::format("CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}",
                  quote_identifier(name), quote_literal(locale->text(0, 0)),
                  quote_literal(locale->text(0, 1)), quote_literal(locale->text(0, 2)));
  std::string_view provider = locale->text(0, 3);
  std::string_view provider_locale = locale->text(0, 4);
  if (provider == "c") sql += " LOCALE_PROVIDER libc";
  if (provider == "i") sql += " LOCALE_PROVIDER icu ICU_LOCALE " + quote_literal(provider_locale);
  if (provider == "b")
    sql += " LOCALE_PROVIDER builtin BUILTIN_LOCALE " + quote_literal(provider_locale);
  return sql;
}

// ---- the configured database ------------------------------------------------------------------

// User objects: anything a migration or a person made, i.e. not part of the system catalogs and
// not a member of an extension: every kind pg_dump dumps, down to a collation, a text search
// dictionary, default privileges or an event trigger (the emptying's DROP SCHEMA public CASCADE
// would take those in public along). Not subscriptions: no emptying touches them, and before
// PostgreSQL 14 a role without privileges may not read pg_subscription.oid. What belongs to a table
// (indexes, constraints, triggers, policies, statistics) comes with its table. One row per object,
// described for a message.
constexpr std::string_view kUserObjectsQuery = R"sql(
WITH ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e'),
ns AS (
  SELECT n.oid, n.nspname FROM pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname !~ '^pg_(toast_)?temp_'
    AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_namespace'::regclass AND objid = n.oid))
SELECT 'schema ' || quote_ident(ns.nspname) FROM ns WHERE ns.nspname <> 'public'
UNION ALL
SELECT CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '
                      WHEN 'S' THEN 'sequence ' WHEN 'f' THEN 'foreign table ' ELSE 'table ' END
       || format('%I.%I', ns.nspname, c.relname)
FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_class'::regclass AND objid = c.oid)
UNION ALL
SELECT 'type ' || format('%I.%I', ns.nspname, t.typname)
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
WHERE t.typtype IN ('b', 'd', 'e', 'r')
  AND NOT (t.typcategory = 'A' AND t.typelem <> 0)
  AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_type'::regclass AND objid = t.oid)
UNION ALL
SELECT 'type ' || format('%I.%I', ns.nspname, t.typname)
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace JOIN pg_class c ON c.oid = t.typrelid
WHERE t.typtype = 'c' AND c.relkind = 'c'
  AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_type'::regclass AND objid = t.oid)
UNION ALL
SELECT 'function ' || format('%I.%I(%s)', ns.nspname, p.proname,
                              pg_get_function_identity_arguments(p.oid))
FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
WHERE NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_proc'::regclass AND objid = p.oid)
UNION ALL
SELECT 'large object ' || l.oid FROM pg_largeobject_metadata l
UNION ALL
SELECT pg_describe_object(o.classid, o.objid, 0) FROM (
  SELECT 'pg_collation'::regclass AS classid, oid AS objid FROM pg_collation
  UNION ALL SELECT 'pg_conversion'::regclass, oid FROM pg_conversion
  UNION ALL SELECT 'pg_operator'::regclass, oid FROM pg_operator
  UNION ALL SELECT 'pg_opfamily'::regclass, oid FROM pg_opfamily
  UNION ALL SELECT 'pg_opclass'::regclass, oid FROM pg_opclass
  UNION ALL SELECT 'pg_am'::regclass, oid FROM pg_am
  UNION ALL SELECT 'pg_cast'::regclass, oid FROM pg_cast
  UNION ALL SELECT 'pg_transform'::regclass, oid FROM pg_transform
  UNION ALL SELECT 'pg_language'::regclass, oid FROM pg_language
  UNION ALL SELECT 'pg_ts_parser'::regclass, oid FROM pg_ts_parser
  UNION ALL SELECT 'pg_ts_template'::regclass, oid FROM pg_ts_template
  UNION ALL SELECT 'pg_ts_dict'::regclass, oid FROM pg_ts_dict
  UNION ALL SELECT 'pg_ts_config'::regclass, oid FROM pg_ts_config
  UNION ALL SELECT 'pg_foreign_data_wrapper'::regclass, oid FROM pg_foreign_data_wrapper
  UNION ALL SELECT 'pg_foreign_server'::regclass, oid FROM pg_foreign_server
  UNION ALL SELECT 'pg_default_acl'::regclass, oid FROM pg_default_acl
  UNION ALL SELECT 'pg_event_trigger'::regclass, oid FROM pg_event_trigger
  UNION ALL SELECT 'pg_publication'::regclass, oid FROM pg_publication) o
WHERE o.objid >= 16384
  AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = o.classid AND ext.objid = o.objid)
LIMIT 6)sql";

/// What the configured database looked like when claimed, to leave it that way.
struct InitialState {
  std::vector<std::string> extensions;
  bool public_exists = false;
  /// An extension lives in public: DROP SCHEMA public CASCADE would take it along.
  bool extensions_in_public = false;
  std::string public_owner;                ///< Quoted.
  std::vector<std::string> public_grants;  ///< GRANT statements re-creating its ACL.
  std::optional<std::string> public_comment;
};

constexpr std::string_view kPublicSchemaQuery = R"sql(
SELECT quote_ident(pg_get_userbyid(n.nspowner)), obj_description(n.oid, 'pg_namespace'),
       EXISTS (SELECT FROM pg_extension e WHERE e.extnamespace = n.oid)
FROM pg_namespace n WHERE n.nspname = 'public')sql";

constexpr std::string_view kPublicGrantsQuery = R"sql(
SELECT format('GRANT %s ON SCHEMA public TO %s%s', a.privilege_type,
              CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                   ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
              CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
FROM pg_namespace n, aclexplode(n.nspacl) a
WHERE n.nspname = 'public' AND a.grantee <> n.nspowner
ORDER BY 1)sql";

Result<std::vector<std::string>> user_objects(Connection& connection) {
  Result<QueryResult> rows = connection.exec(std::string(kUserObjectsQuery));
  if (!rows) return rows.error();
  return first_column(*rows);
}

Result<InitialState> initial_state(Connection& connection) {
  InitialState state;
  Result<QueryResult> extensions = connection.exec("SELECT extname FROM pg_extension ORDER BY 1");
  if (!extensions) return extensions.error();
  state.extensions = first_column(*extensions);
  Result<QueryResult> schema = connection.exec(std::string(kPublicSchemaQuery));
  if (!schema) return schema.error();
  if (schema->rows() == 0) return state;
  state.public_exists = true;
  state.public_owner = std::string(schema->text(0, 0));
  state.public_comment = schema->optional_text(0, 1);
  state.extensions_in_public = schema->text(0, 2) == "t";
  Result<QueryResult> grants = connection.exec(std::string(kPublicGrantsQuery));
  if (!grants) return grants.error();
  state.public_grants = first_column(*grants);
  return state;
}

/// Configured databases in use by this process: only one scratch user at a time.
std::mutex claims_mutex;
std::set<std::string> claims;

bool claim(const std::string& key) {
  std::lock_guard lock(claims_mutex);
  return claims.insert(key).second;
}

void release(const std::string& key) {
  std::lock_guard lock(claims_mutex);
  claims.erase(key);
}

/// Turns kept for this process's next claim of a configured database (keep_turn()): the sessions
/// holding their advisory lock. Closed at exit, which frees the lock.
std::map<std::string, Connection> kept_turns;

void keep(const std::string& key, Connection turn) {
  std::lock_guard lock(claims_mutex);
  kept_turns.insert_or_assign(key, std::move(turn));
}

std::optional<Connection> take_kept(const std::string& key) {
  std::lock_guard lock(claims_mutex);
  auto found = kept_turns.find(key);
  if (found == kept_turns.end()) return std::nullopt;
  Connection turn = std::move(found->second);
  kept_turns.erase(found);
  return turn;
}

// Objects left in a schema that cannot be dropped as a whole, most dependent kinds first so that
// CASCADE has least to do; IF EXISTS because an earlier CASCADE may have taken them already.
constexpr std::string_view kPublicObjectsQuery = R"sql(
WITH ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e')
SELECT format('DROP %s IF EXISTS public.%I CASCADE',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                             WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                             ELSE 'TABLE' END,
              c.relname)
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_class'::regclass AND objid = c.oid)
UNION ALL
SELECT format('DROP ROUTINE IF EXISTS public.%I(%s) CASCADE', p.proname,
              pg_get_function_identity_arguments(p.oid))
FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace
  AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_proc'::regclass AND objid = p.oid)
UNION ALL
SELECT format('DROP %s IF EXISTS public.%I CASCADE',
              CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.typname)
FROM pg_type t
WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('b', 'c', 'd', 'e', 'r')
  AND NOT (t.typcategory = 'A' AND t.typelem <> 0)
  AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
  AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_type'::regclass AND objid = t.oid))sql";

// What the run made of the kinds no schema's dropping takes along, or that the fallback (objects
// of public one by one) does not drop: DROP statements, event triggers first (one could fire on
// the others' DROP). The claim found none of them, so every one is the run's.
constexpr std::string_view kOtherObjectsQuery = R"sql(
WITH ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e')
SELECT format('DROP %s IF EXISTS %s CASCADE', upper(replace(i.type, '-', ' ')), i.identity)
FROM (
  SELECT 'pg_event_trigger'::regclass AS classid, oid AS objid, 1 AS rank FROM pg_event_trigger
  UNION ALL SELECT 'pg_publication'::regclass, oid, 2 FROM pg_publication
  UNION ALL SELECT 'pg_foreign_server'::regclass, oid, 3 FROM pg_foreign_server
  UNION ALL SELECT 'pg_foreign_data_wrapper'::regclass, oid, 4 FROM pg_foreign_data_wrapper
  UNION ALL SELECT 'pg_cast'::regclass, oid, 5 FROM pg_cast
  UNION ALL SELECT 'pg_opclass'::regclass, oid, 6 FROM pg_opclass
  UNION ALL SELECT 'pg_opfamily'::regclass, oid, 7 FROM pg_opfamily
  UNION ALL SELECT 'pg_operator'::regclass, oid, 8 FROM pg_operator
  UNION ALL SELECT 'pg_am'::regclass, oid, 9 FROM pg_am
  UNION ALL SELECT 'pg_collation'::regclass, oid, 10 FROM pg_collation
  UNION ALL SELECT 'pg_conversion'::regclass, oid, 11 FROM pg_conversion
  UNION ALL SELECT 'pg_ts_config'::regclass, oid, 12 FROM pg_ts_config
  UNION ALL SELECT 'pg_ts_dict'::regclass, oid, 13 FROM pg_ts_dict
  UNION ALL SELECT 'pg_ts_template'::regclass, oid, 14 FROM pg_ts_template
  UNION ALL SELECT 'pg_ts_parser'::regclass, oid, 15 FROM pg_ts_parser
  UNION ALL SELECT 'pg_language'::regclass, oid, 16 FROM pg_language) o,
  pg_identify_object(o.classid, o.objid, 0) i
WHERE o.objid >= 16384
  AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = o.classid AND ext.objid = o.objid)
ORDER BY o.rank, o.objid)sql";

constexpr std::string_view kNewSchemasQuery = R"sql(
SELECT quote_ident(n.nspname) FROM pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'public')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.deptype = 'e'
                  AND d.classid = 'pg_namespace'::regclass AND d.objid = n.oid))sql";

Status run_each(Connection& connection, const std::vector<std::string>& statements) {
  for (const std::string& statement : statements) {
    if (Status done = connection.run(statement); !done) return done;
  }
  return ok();
}

/// DROP SCHEMA public CASCADE and re-create it as it was, in one transaction; false (and
/// nothing changed) when this role may not.
bool recreate_public(Connection& connection, const InitialState& initial) {
  std::string script = "BEGIN; DROP SCHEMA public CASCADE; CREATE SCHEMA public; ";
  script += fmt::format("ALTER SCHEMA public OWNER TO {}; ", initial.public_owner);
  for (const std::string& grant : initial.public_grants) script += grant + "; ";
  if (initial.public_comment) {
    script +=
        fmt::format("COMMENT ON SCHEMA public IS {}; ", quote_literal(*initial.public_comment));
  }
  script += "COMMIT";
  if (connection.run(script)) return true;
  (void)connection.run("ROLLBACK");
  return false;
}

Status empty_public(Connection& connection, const InitialState& initial) {
  if (!initial.extensions_in_public && recreate_public(connection, initial)) return ok();
  Result<QueryResult> drops = connection.exec(std::string(kPublicObjectsQuery));
  if (!drops) return drops.error();
  return run_each(connection, first_column(*drops));
}

/// Leaves the configured database as it was claimed: what the run made outside schemas (and the
/// like in public: collations, operators, ...), new extensions and schemas dropped, public
/// emptied; then checks that no user object is left.
Status empty_configured(const ConnectionParams& params, const InitialState& initial) {
  Result<Connection> connection = connect(params);
  if (!connection) return connection.error();
  Result<QueryResult> extensions = connection->exec(
      "SELECT quote_ident(extname) FROM pg_extension WHERE NOT extname = ANY (string_to_array($1, "
      "E'\\n'))",
      {fmt::format("{}", fmt::join(initial.extensions, "\n"))});
  if (!extensions) return extensions.error();
  Result<QueryResult> others = connection->exec(std::string(kOtherObjectsQuery));
  if (!others) return others.error();
  std::vector<std::string> statements = first_column(*others);
  for (const std::string& name : first_column(*extensions)) {
    statements.push_back(fmt::format("DROP EXTENSION IF EXISTS {} CASCADE", name));
  }
  Result<QueryResult> schemas = connection->exec(std::string(kNewSchemasQuery));
  if (!schemas) return schemas.error();
  for (const std::string& name : first_column(*schemas)) {
    statements.push_back(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", name));
  }
  if (Status done = run_each(*connection, statements); !done) return done;
  if (initial.public_exists) {
    if (Status done = empty_public(*connection, initial); !done) return done;
  }
  Result<std::vector<std::string>> left = user_objects(*connection);
  if (!left) return left.error();
  if (!left->empty()) return failure(fmt::format("still holds {}", fmt::join(*left, ", ")));
  return ok();
}

}  // namespace

namespace {

// Runs that share one configured database take turns: each holds this session-level advisory
// lock ("alembic-" as eight bytes) from before its emptiness check until the database is empty
// again. The server releases it with the session, so a killed run cannot keep it.
constexpr std::string_view kTurnLock = "7020097439640675117";

}  // namespace

// ---- the state shared with dropper() ----------------------------------------------------------

struct ScratchDatabase::State {
  std::string name;
  ConnectionParams maintenance;  ///< The configured database.
  DatabaseUrl url;               ///< Naming this database.
  bool configured = false;
  InitialState initial;  ///< When configured.
  /// When configured: the session holding the turn lock (wait_for_turn) until it is emptied.
  std::optional<Connection> turn;
  bool keep_turn = false;  ///< Emptied, hand the turn to the next claim (keep_turn()).
  LogLine log;

  std::mutex mutex;
  bool dropped = false;

  Status drop() {
    std::lock_guard lock(mutex);
    if (dropped) return ok();
    dropped = true;  // one try: a failure is reported, not repeated by every later caller
    if (configured) {
      Status emptied = empty_configured(url.libpq(), initial);
      if (keep_turn && turn && emptied) {
        keep(maintenance.describe(), std::move(*turn));
        turn.reset();
      }
      give_turn_back();
      release(maintenance.describe());
      if (!emptied) {
        return failure(fmt::format("could not empty the configured database {} on {}: {}", name,
                                   maintenance.server(), emptied.error().message));
      }
      return ok();
    }
    Status done = drop_database(maintenance, name);
    if (!done) {
      return failure(
          fmt::format("could not drop scratch database {} on {} ({}); drop it by hand: "
                      "DROP DATABASE {}",
                      name, maintenance.server(), done.error().message, name));
    }
    return ok();
  }

  /// The next run's turn: unlocked at once (a closed session's locks go only when its backend
  /// has exited, a moment later), then the session closed.
  void give_turn_back() {
    if (!turn) return;
    (void)turn->run(fmt::format("SELECT pg_advisory_unlock({})", kTurnLock));
    turn.reset();
  }

  void drop_and_log() {
    Status done = drop();
    if (!done && log) log(done.error().message);
  }
};

namespace {

Error privilege_error(const DatabaseUrl& url, Connection& connection,
                      const ScratchOptions& options) {
  Result<QueryResult> user = connection.exec("SELECT current_user");
  std::string role = user ? std::string(user->text(0, 0)) : url.user();
  std::string text = fmt::format(
      "role {} cannot create databases on PostgreSQL at {}: alembic-gate runs migrations in "
      "scratch databases it creates and drops, which needs the CREATEDB privilege (ALTER ROLE {} "
      "CREATEDB)",
      role, url.libpq().server(), quote_identifier(role));
  if (!options.allow_configured_database) {
    text +=
        fmt::format(", or set allow-configured-database: true to use the empty database {} instead",
                    url.database());
  }
  return failure(text);
}

/// The configured database's state, when it holds no user objects.
Result<InitialState> check_empty(const DatabaseUrl& url, Connection& connection) {
  Result<std::vector<std::string>> objects = user_objects(connection);
  if (!objects) return objects.error();
  if (!objects->empty()) {
    size_t shown = std::min<size_t>(objects->size(), 5);
    return failure(fmt::format(
        "the role cannot create databases, and allow-configured-database cannot use database {}: "
        "it holds user objects ({}{}); alembic-gate never runs migrations in a database with "
        "objects in it. Grant the role CREATEDB, or name an empty database in database-url",
        url.database(),
        fmt::join(objects->begin(), objects->begin() + static_cast<ptrdiff_t>(shown), ", "),
        objects->size() > shown ? ", ..." : ""));
  }
  return initial_state(connection);
}

// Asked again this often while another run has it. Never a blocking pg_advisory_lock(): a
// statement waiting in the database holds a snapshot, and the other run's CREATE INDEX
// CONCURRENTLY would wait for it while its turn waits for the index.
constexpr auto kTurnPoll = std::chrono::milliseconds(250);

/// Whether this session took the turn lock.
Result<bool> take_turn(Connection& connection) {
  Result<QueryResult> taken =
      connection.exec(fmt::format("SELECT pg_try_advisory_lock({})", kTurnLock));
  if (!taken) return taken.error();
  return taken->text(0, 0) == "t";
}

/// Takes the turn lock on `connection`, waiting for another run's turn to end for at most the
/// connect timeout, or until an interrupt.
Status wait_for_turn(Connection& connection, const std::string& database,
                     const ScratchOptions& options) {
  Result<bool> taken = take_turn(connection);
  if (!taken || *taken) return taken ? ok() : Status(taken.error());
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options.connect.timeout).count();
  if (options.log) {
    options.log(
        fmt::format("database {} is the scratch database of another alembic-gate run "
                    "(allow-configured-database); waiting at most {} s for it to end",
                    database, seconds));
  }
  auto give_up = std::chrono::steady_clock::now() + options.connect.timeout;
  while (std::chrono::steady_clock::now() < give_up && process::interrupt_signal() == 0) {
    std::this_thread::sleep_for(kTurnPoll);
    taken = take_turn(connection);
    if (!taken || *taken) return taken ? ok() : Status(taken.error());
  }
  return failure(fmt::format(
      "database {} stayed in use by another alembic-gate run for {} s: with "
      "allow-configured-database, runs on one database take turns. Give each job a database of "
      "its own, or grant the role CREATEDB",
      database, seconds));
}

/// Claims the configured database for this run (in this process, then on the server: unless
/// `have_turn`, waiting for the turn on `connection`), and checks that it holds no user objects;
/// returns what it looks like now, to leave it that way.
Result<InitialState> claim_configured(const DatabaseUrl& url, Connection& connection,
                                      const ScratchOptions& options, bool have_turn) {
  const std::string& database = url.database();
  if (!claim(url.libpq().describe())) {
    return failure(
        fmt::format("database {} is already in use as the scratch database of this run; "
                    "without CREATEDB only one can be open at a time",
                    database));
  }
  Result<InitialState> initial = [&]() -> Result<InitialState> {
    if (!have_turn) {
      if (Status turn = wait_for_turn(connection, database, options); !turn) return turn.error();
    }
    return check_empty(url, connection);
  }();
  if (!initial) release(url.libpq().describe());
  return initial;
}

}  // namespace

// ---- ScratchDatabase --------------------------------------------------------------------------

Result<ScratchDatabase> ScratchDatabase::create(const DatabaseUrl& url,
                                                const ScratchOptions& options) {
  Result<Connection> connection = connect_with_retry(url.libpq(), options.connect);
  if (!connection) return connection.error();
  auto state = std::make_shared<State>();
  state->name = random_name();  // 64 random bits: a clash with an existing name is not retried
  state->maintenance = url.libpq();
  state->url = url.with_database(state->name);
  state->log = options.log;
  Result<std::string> statement = create_statement(*connection, state->name);
  if (!statement) return statement.error();
  if (options.register_cleanup) {
    options.register_cleanup("drop scratch database " + state->name,
                             [state] { state->drop_and_log(); });
  }
  std::unique_lock lock(state->mutex);  // a cleanup arriving now waits for CREATE, then drops
  if (state->dropped) return failure("interrupted before the scratch database was created");
  Status created = connection->run(*statement);
  if (created) {
    // Its data is thrown away: its sessions' commits need not wait for the disk. Only a speed-up,
    // so a refusal is no failure.
    (void)connection->run(fmt::format("ALTER DATABASE {} SET synchronous_commit = off",
                                      quote_identifier(state->name)));
    return ScratchDatabase(std::move(state));
  }
  state->dropped = true;  // nothing to drop
  if (sqlstate_of(created.error()) != kInsufficientPrivilege) {
    return failure(fmt::format("cannot create a scratch database on PostgreSQL at {}: {}",
                               url.libpq().server(), created.error().message));
  }
  if (!options.allow_configured_database) return privilege_error(url, *connection, options);
  std::optional<Connection> kept = take_kept(url.libpq().describe());
  Result<InitialState> initial = claim_configured(url, *connection, options, kept.has_value());
  if (!initial) return initial.error();  // a kept turn ends here, with its session
  state->name = url.database();
  state->url = url;
  state->configured = true;
  state->initial = std::move(*initial);
  state->turn = kept ? std::move(*kept) : std::move(*connection);
  state->dropped = false;
  lock.unlock();
  return ScratchDatabase(std::move(state));
}

ScratchDatabase& ScratchDatabase::operator=(ScratchDatabase&& other) noexcept {
  if (this != &other) {
    if (state_) state_->drop_and_log();
    state_ = std::move(other.state_);
  }
  return *this;
}

ScratchDatabase::~ScratchDatabase() {
  if (state_) state_->drop_and_log();
}

const std::string& ScratchDatabase::name() const {
  return state_->name;
}
const ConnectionParams& ScratchDatabase::params() const {
  return state_->url.libpq();
}
std::string ScratchDatabase::python_url() const {
  return state_->url.python_url();
}
bool ScratchDatabase::is_configured_database() const {
  return state_->configured;
}

Status ScratchDatabase::drop() {
  return state_->drop();
}

std::function<void()> ScratchDatabase::dropper() const {
  return [state = state_] { state->drop_and_log(); };
}

void ScratchDatabase::keep_turn() {
  std::lock_guard lock(state_->mutex);
  state_->keep_turn = state_->configured;
}

// ---- dropping ---------------------------------------------------------------------------------

namespace {

Status terminate_then_drop(Connection& connection, const std::string& name) {
  std::string database = quote_identifier(name);
  Status closed =
      connection.run(fmt::format("ALTER DATABASE {} ALLOW_CONNECTIONS false", database));
  if (!closed) return sqlstate_of(closed.error()) == kInvalidCatalogName ? ok() : closed;
  Status dropped = ok();
  for (int attempt = 0; attempt < 20; ++attempt) {  // a backend may be between connect and exit
    Result<QueryResult> ended = connection.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> "
        "pg_backend_pid()",
        {name});
    if (!ended) return ended.error();
    dropped = connection.run(fmt::format("DROP DATABASE IF EXISTS {}", database));
    if (dropped || sqlstate_of(dropped.error()) != kObjectInUse) return dropped;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return dropped;
}

}  // namespace

Status drop_database(const ConnectionParams& server, const std::string& name, DropMethod method) {
  ConnectOptions options;
  options.timeout = std::chrono::seconds(10);
  Result<Connection> connection = connect_with_retry(server, options);
  if (!connection) return connection.error();
  if (method == DropMethod::automatic) {
    method = connection->server_version() >= 130000 ? DropMethod::force
                                                    : DropMethod::terminate_then_drop;
  }
  if (method == DropMethod::terminate_then_drop) return terminate_then_drop(*connection, name);
  return connection->run(
      fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_identifier(name)));
}

}  // namespace ag::pg
