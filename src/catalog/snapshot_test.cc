#include "catalog/snapshot.h"

#include <doctest/doctest.h>

#include <set>

#include "catalog/catalog_test_support.h"
#include "catalog/snapshot_diff.h"

namespace ag::catalog {
namespace {

using testing::kEveryKind;
using testing::open;
using testing::run;
using Lines = std::vector<std::string>;

/// One object kind's round trip: `setup` in two databases, `change` in the second; the diff
/// must read `lines`; after `change` in the first too, they must be equal.
struct RoundTrip {
  std::string setup;
  std::string change;
  Lines lines;
};

/// Lines as one text, so that a failed check shows them.
std::string joined(const Lines& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

Snapshot snapshot_of(pg::Connection& connection, const SnapshotOptions& options = {}) {
  Result<Snapshot> snapshot = take_snapshot(connection, options);
  REQUIRE_MESSAGE(snapshot.ok(), (snapshot.ok() ? "" : snapshot.error().message));
  CHECK(connection.idle());
  return *snapshot;
}

/// Whether the roundtrip's reading of `after` differs from its reading of `before`.
bool readings_differ(pg::Connection& before, pg::Connection& after) {
  CatalogState state;
  state.apply(testing::read_catalog(before, true));
  return !state.differences(testing::read_catalog(after, true), {}).empty();
}

/// Two fresh scratch databases and a connection to each.
struct Pair {
  pg::ScratchDatabase before_database = testing::scratch_database();
  pg::ScratchDatabase after_database = testing::scratch_database();
  pg::Connection before = open(before_database.params());
  pg::Connection after = open(after_database.params());
};

void check_round_trips(const std::vector<RoundTrip>& table) {
  for (const RoundTrip& row : table) {
    CAPTURE(row.setup);
    CAPTURE(row.change);
    Pair pair;
    if (!row.setup.empty()) {
      run(pair.before, row.setup);
      run(pair.after, row.setup);
    }
    CHECK_FALSE(readings_differ(pair.before, pair.after));
    run(pair.after, row.change);
    Snapshot after = snapshot_of(pair.after);
    CHECK(joined(diff_snapshots(snapshot_of(pair.before), after)) == joined(row.lines));
    CHECK(readings_differ(pair.before, pair.after));  // what the snapshot sees, it sees

    run(pair.before, row.change);
    Snapshot before = snapshot_of(pair.before);
    CHECK(diff_snapshots(before, after).empty());
    CHECK(before == after);
    CHECK_FALSE(readings_differ(pair.before, pair.after));
  }
}

}  // namespace

TEST_SUITE("catalog") {
  TEST_CASE("catalog: an object's attribute is read by its name in the kind's list") {
    ObjectKey sequence{"sequence", "public", "", "orders_number_seq"};
    Attributes values = {"bigint",        "1",        "1",         "1", "99", "no cycle",
                         "orders.number", "postgres", std::nullopt};
    CHECK(attribute_of(sequence, values, "owned by") == "orders.number");
    CHECK(attribute_of(sequence, values, "maximum") == "99");
    CHECK(attribute_of(sequence, values, "privileges") == std::nullopt);
    CHECK(attribute_of(sequence, values, "colour") == std::nullopt);
    CHECK(attribute_of({"no such kind", "", "", "x"}, values, "type") == std::nullopt);
  }

  TEST_CASE("catalog: snapshot round trips for schemas, extensions and tables") {
    check_round_trips({
        {"", "CREATE SCHEMA app", {"schema app exists after but did not before"}},
        {"CREATE SCHEMA app",
         "GRANT USAGE ON SCHEMA app TO PUBLIC",
         {"schema app: privileges none before, {=U/postgres,postgres=UC/postgres} after"}},
        {"", "CREATE EXTENSION hstore", {"extension hstore exists after but did not before"}},
        {"", "CREATE TABLE t (a int)", {"table t exists after but did not before"}},
        {"CREATE SCHEMA app",
         "CREATE TABLE app.t (a int)",
         {"table app.t exists after but did not before"}},
        {"CREATE TABLE t (a int)", "DROP TABLE t", {"table t is missing after but existed before"}},
        {"CREATE TABLE t (a int)",
         "ALTER TABLE t SET UNLOGGED",
         {"table t: logged before, unlogged after"}},
        {"CREATE TABLE t (a int)",
         "ALTER TABLE t SET (fillfactor = 50)",
         {"table t: options none before, fillfactor=50 after"}},
        {"CREATE TABLE t (a int)",
         "GRANT SELECT ON t TO PUBLIC",
         {"table t: privileges none before, {=r/postgres,postgres=arwdDxt/postgres} after"}},
        {"CREATE TABLE t (a int)",
         "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
         {"table t: row level security disabled before, row level security enabled after"}},
        {"",
         "CREATE TABLE m (at date) PARTITION BY RANGE (at); "
         "CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
         {"table m exists after but did not before",
          "table m_2024 exists after but did not before"}},
        {"CREATE TABLE m (at date) PARTITION BY RANGE (at); CREATE TABLE m_2024 (at date)",
         "ALTER TABLE m ATTACH PARTITION m_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
         {"table m_2024: partition of none before, m FOR VALUES FROM ('2024-01-01') TO "
          "('2025-01-01') after"}},
        {"CREATE TABLE parent (a int); CREATE TABLE child (a int)",
         "ALTER TABLE child INHERIT parent",
         {"table child: inherits none before, parent after"}},
    });
  }

  TEST_CASE("catalog: snapshot round trips for columns") {
    check_round_trips({
        {"CREATE TABLE posts (id int)",
         "ALTER TABLE posts ADD COLUMN title varchar(100)",
         {"column posts.title exists after but did not before"}},
        {"CREATE TABLE posts (id int, title varchar(100))",
         "ALTER TABLE posts DROP COLUMN title",
         {"column posts.title is missing after but existed before"}},
        {"CREATE TABLE posts (title varchar(100))",
         "ALTER TABLE posts ALTER title TYPE varchar(200)",
         {"column posts.title: type varchar(100) before, varchar(200) after"}},
        {"CREATE TABLE posts (title varchar(100))",
         "ALTER TABLE posts ALTER title SET NOT NULL",
         {"column posts.title: nullable before, not null after"}},
        {"CREATE TABLE posts (title varchar(100))",
         "ALTER TABLE posts ALTER title SET DEFAULT 'x'",
         {"column posts.title: default none before, 'x'::character varying after"}},
        {"CREATE TABLE t (id int NOT NULL)",
         "ALTER TABLE t ALTER id ADD GENERATED ALWAYS AS IDENTITY",
         {"column t.id: identity none before, generated always after",
          "sequence t_id_seq exists after but did not before"}},
        {"CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED)",
         "ALTER TABLE t DROP COLUMN b; ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a * 3) "
         "STORED",
         {"column t.b: generated as (a * 2) before, (a * 3) after"}},
        {"CREATE TABLE t (name text)",
         "ALTER TABLE t ALTER name TYPE text COLLATE \"C\"",
         {"column t.name: collation none before, \"C\" after"}},
    });
  }

  TEST_CASE("catalog: snapshot round trips for constraints and indexes") {
    const std::string users =
        "CREATE TABLE users (id int PRIMARY KEY, email text, deleted boolean); ";
    const std::string posts = users + "CREATE TABLE posts (id int, user_id int); ";
    check_round_trips({
        {users,
         "ALTER TABLE users ADD CONSTRAINT email_length CHECK (length(email) < 200)",
         {"constraint email_length on users exists after but did not before"}},
        {users +
             "ALTER TABLE users ADD CONSTRAINT email_length CHECK (length(email) < 200) NOT VALID",
         "ALTER TABLE users VALIDATE CONSTRAINT email_length",
         {"constraint email_length on users: not valid before, valid after"}},
        {users + "ALTER TABLE users ADD CONSTRAINT email_length CHECK (length(email) < 200)",
         "ALTER TABLE users DROP CONSTRAINT email_length; "
         "ALTER TABLE users ADD CONSTRAINT email_length CHECK (length(email) < 300)",
         {"constraint email_length on users: definition CHECK ((length(email) < 200)) before, "
          "CHECK ((length(email) < 300)) after"}},
        {posts + "ALTER TABLE posts ADD CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES "
                 "users (id)",
         "ALTER TABLE posts DROP CONSTRAINT posts_user_fk; ALTER TABLE posts ADD CONSTRAINT "
         "posts_user_fk "
         "FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE",
         {"constraint posts_user_fk on posts: definition FOREIGN KEY (user_id) REFERENCES "
          "users(id) before, "
          "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE after"}},
        {posts + "ALTER TABLE posts ADD CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES "
                 "users (id)",
         "ALTER TABLE posts ALTER CONSTRAINT posts_user_fk DEFERRABLE INITIALLY DEFERRED",
         {"constraint posts_user_fk on posts: not deferrable before, deferrable initially deferred "
          "after"}},
        {users,
         "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)",
         {"constraint users_email_key on users exists after but did not before"}},
        {users,
         "CREATE INDEX ix_users_email ON users (email)",
         {"index ix_users_email on users exists after but did not before"}},
        {users + "CREATE INDEX ix_users_email ON users (email)",
         "DROP INDEX ix_users_email; CREATE INDEX ix_users_email ON users (lower(email))",
         {"index ix_users_email on users: definition USING btree (email) before, USING btree "
          "(lower(email)) after"}},
        {users + "CREATE INDEX ix_users_email ON users (email)",
         "DROP INDEX ix_users_email; CREATE INDEX ix_users_email ON users (email) WHERE NOT "
         "deleted",
         {"index ix_users_email on users: definition USING btree (email) before, "
          "USING btree (email) WHERE (NOT deleted) after"}},
        {users + "CREATE INDEX ix_users_email ON users (email)",
         "DROP INDEX ix_users_email; CREATE INDEX ix_users_email ON users USING hash (email)",
         {"index ix_users_email on users: definition USING btree (email) before, USING hash "
          "(email) after"}},
        {users + "CREATE INDEX ix_users_email ON users (email)",
         "DROP INDEX ix_users_email; CREATE UNIQUE INDEX ix_users_email ON users (email)",
         {"index ix_users_email on users: not unique before, unique after"}},
        {users + "CREATE INDEX ix_users_email ON users (email)",
         "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ix_users_email'::regclass",
         {"index ix_users_email on users: valid before, invalid after"}},
    });
  }

  TEST_CASE("catalog: snapshot round trips for sequences, views and routines") {
    check_round_trips({
        {"", "CREATE SEQUENCE s", {"sequence s exists after but did not before"}},
        {"CREATE SEQUENCE s",
         "ALTER SEQUENCE s INCREMENT BY 5 MAXVALUE 1000 CYCLE",
         {"sequence s: increment 1 before, 5 after",
          "sequence s: maximum 9223372036854775807 before, 1000 after",
          "sequence s: no cycle before, cycle after"}},
        {"CREATE SEQUENCE s",
         "ALTER SEQUENCE s AS integer START 7",
         {"sequence s: type bigint before, integer after", "sequence s: start 1 before, 7 after",
          "sequence s: maximum 9223372036854775807 before, 2147483647 after"}},
        {"CREATE SEQUENCE s; CREATE TABLE t (a bigint)",
         "ALTER SEQUENCE s OWNED BY t.a",
         {"sequence s: owned by none before, t.a after"}},
        {"CREATE TABLE t (a int)",
         "CREATE VIEW v AS SELECT a FROM t",
         {"view v exists after but did not before"}},
        {"CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t",
         "CREATE OR REPLACE VIEW v AS SELECT a, a + 1 AS b FROM t",
         {"view v: definition differs at line 1: ` SELECT t.a` before, ` SELECT t.a,` after"}},
        {"CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t",
         "ALTER VIEW v SET (security_barrier = true)",
         {"view v: options none before, security_barrier=true after"}},
        {"",
         "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x",
         {"materialized view mv exists after but did not before"}},
        {"CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x WITH NO DATA",
         "REFRESH MATERIALIZED VIEW mv",
         {"materialized view mv: not populated before, populated after"}},
        {"",
         "CREATE FUNCTION add_one(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1 + 1'",
         {"function add_one(integer) exists after but did not before"}},
        {"CREATE FUNCTION add_one(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1 + 1'",
         "CREATE OR REPLACE FUNCTION add_one(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1 + "
         "2'",
         {"function add_one(integer): definition differs at line 4: `AS $function$SELECT $1 + "
          "1$function$` before, "
          "`AS $function$SELECT $1 + 2$function$` after"}},
        {"CREATE FUNCTION add_one(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1 + 1'",
         "GRANT EXECUTE ON FUNCTION add_one(integer) TO postgres; REVOKE EXECUTE ON FUNCTION "
         "add_one(integer) FROM PUBLIC",
         {"function add_one(integer): privileges none before, {postgres=X/postgres} after"}},
        {"",
         "CREATE PROCEDURE noop(a integer) LANGUAGE sql AS 'SELECT 1'",
         {"procedure noop(integer) exists after but did not before"}},
        {"",
         "CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer)",
         {"aggregate total(integer) exists after but did not before"}},
        {"CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer)",
         "DROP AGGREGATE total(integer); CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = "
         "integer, INITCOND = '0')",
         {"aggregate total(integer): definition sfunc int4pl, stype integer before, sfunc int4pl, "
          "stype integer, "
          "initcond '0' after"}},
    });
  }

  TEST_CASE("catalog: snapshot round trips for triggers, policies and types") {
    const std::string trigger_setup =
        "CREATE TABLE users (id int, at timestamptz); CREATE FUNCTION touch() RETURNS trigger "
        "LANGUAGE plpgsql "
        "AS $$ BEGIN NEW.at := now(); RETURN NEW; END $$; ";
    check_round_trips({
        {trigger_setup,
         "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()",
         {"trigger users_touch on users exists after but did not before"}},
        {trigger_setup + "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE "
                         "FUNCTION touch()",
         "ALTER TABLE users DISABLE TRIGGER users_touch",
         {"trigger users_touch on users: enabled before, disabled after"}},
        {trigger_setup + "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE "
                         "FUNCTION touch()",
         "DROP TRIGGER users_touch ON users; "
         "CREATE TRIGGER users_touch BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch()",
         {"trigger users_touch on users: definition CREATE TRIGGER users_touch BEFORE UPDATE ON "
          "public.users FOR "
          "EACH ROW EXECUTE FUNCTION touch() before, CREATE TRIGGER users_touch BEFORE INSERT ON "
          "public.users FOR "
          "EACH ROW EXECUTE FUNCTION touch() after"}},
        {"CREATE TABLE users (id int)",
         "CREATE POLICY mine ON users FOR SELECT USING (id > 0)",
         {"policy mine on users exists after but did not before"}},
        {"CREATE TABLE users (id int); CREATE POLICY mine ON users FOR SELECT USING (id > 0)",
         "ALTER POLICY mine ON users USING (id > 1)",
         {"policy mine on users: using (id > 0) before, (id > 1) after"}},
        {"",
         "CREATE TYPE mood AS ENUM ('sad', 'ok')",
         {"enum type mood exists after but did not before"}},
        {"CREATE TYPE mood AS ENUM ('sad', 'ok')",
         "ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'",
         {"enum type mood: values 'sad', 'ok' before, 'sad', 'meh', 'ok' after"}},
        {"", "CREATE DOMAIN posint AS integer", {"domain posint exists after but did not before"}},
        {"CREATE DOMAIN posint AS integer",
         "ALTER DOMAIN posint SET NOT NULL; ALTER DOMAIN posint SET DEFAULT 1",
         {"domain posint: nullable before, not null after",
          "domain posint: default none before, 1 after"}},
        {"CREATE DOMAIN code AS varchar(10)",
         "DROP DOMAIN code; CREATE DOMAIN code AS varchar(20)",
         {"domain code: base type varchar(10) before, varchar(20) after"}},
        {"CREATE DOMAIN posint AS integer",
         "ALTER DOMAIN posint ADD CONSTRAINT positive CHECK (VALUE > 0)",
         {"constraint positive on domain posint exists after but did not before"}},
        {"CREATE DOMAIN posint AS integer; ALTER DOMAIN posint ADD CONSTRAINT positive CHECK "
         "(VALUE > 0) NOT VALID",
         "ALTER DOMAIN posint VALIDATE CONSTRAINT positive",
         {"constraint positive on domain posint: not valid before, valid after"}},
        {"",
         "CREATE TYPE pair AS (a integer, b text)",
         {"composite type pair exists after but did not before"}},
        {"CREATE TYPE pair AS (a integer, b text)",
         "ALTER TYPE pair ADD ATTRIBUTE c integer",
         {"composite type pair: attributes a integer, b text before, a integer, b text, c integer "
          "after"}},
        {"",
         "CREATE TYPE floatrange AS RANGE (subtype = float8)",
         {"range type floatrange exists after but did not before"}},
    });
  }

  TEST_CASE("catalog: snapshot round trips for comments") {
    const std::string setup =
        "CREATE TABLE users (id int PRIMARY KEY, email text); CREATE INDEX ix ON users (email); "
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; ";
    check_round_trips({
        {setup,
         "COMMENT ON TABLE users IS 'people'",
         {"comment on table users exists after but did not before"}},
        {setup + "COMMENT ON TABLE users IS 'people'",
         "COMMENT ON TABLE users IS 'persons'",
         {"comment on table users: text people before, persons after"}},
        {setup + "COMMENT ON COLUMN users.email IS 'login'",
         "COMMENT ON COLUMN users.email IS NULL",
         {"comment on column email of table users is missing after but existed before"}},
        {setup,
         "COMMENT ON INDEX ix IS 'fast'",
         {"comment on index ix exists after but did not before"}},
        {setup,
         "COMMENT ON CONSTRAINT users_pkey ON users IS 'key'",
         {"comment on constraint users_pkey on table users exists after but did not before"}},
        {setup,
         "COMMENT ON FUNCTION f() IS 'one'",
         {"comment on function f() exists after but did not before"}},
        {setup,
         "COMMENT ON SCHEMA public IS 'mine'",
         {"comment on schema public: text standard public schema before, mine after"}},
    });
  }

  TEST_CASE("catalog: two databases built by the same DDL have equal snapshots and readings") {
    Pair pair;
    run(pair.before, std::string(kEveryKind));
    run(pair.after, std::string(kEveryKind));
    Snapshot before = snapshot_of(pair.before);
    Snapshot after = snapshot_of(pair.after);
    CHECK(before == after);
    CHECK(diff_snapshots(before, after).empty());
    CHECK_FALSE(readings_differ(pair.before, pair.after));
    CHECK_FALSE(readings_differ(pair.before, pair.before));  // stable on the same database

    std::set<std::string> kinds;
    for (const auto& [key, attributes] : before.objects) kinds.insert(key.kind);
    for (const ObjectKind& kind : object_kinds())
      CHECK_MESSAGE(kinds.count(std::string(kind.id)) == 1, kind.id);
    for (const auto& [key, attributes] : before.objects) {
      CHECK_MESSAGE(key.name.find("alembic_version") == std::string::npos, describe_object(key));
      CHECK_MESSAGE(key.parent.find("alembic_version") == std::string::npos, describe_object(key));
      if (key.kind != "extension") {  // extension members are the extension's business
        CHECK_MESSAGE(key.name.find("citext") == std::string::npos, describe_object(key));
      }
    }

    run(pair.after, "ALTER TABLE app.posts ALTER title TYPE varchar(300)");
    CHECK(readings_differ(pair.before, pair.after));
    CHECK(diff_snapshots(before, snapshot_of(pair.after)) ==
          Lines{"column app.posts.title: type varchar(200) before, varchar(300) after"});
  }

  TEST_CASE("catalog: the version table is left out, under any configured name") {
    Pair pair;
    run(pair.after,
        "CREATE TABLE alembic_version (version_num varchar(32) CONSTRAINT alembic_version_pkc "
        "PRIMARY KEY); "
        "COMMENT ON TABLE alembic_version IS 'x'; CREATE SCHEMA app; CREATE TABLE app.my_versions "
        "(v text); "
        "CREATE INDEX ix_versions ON app.my_versions (v)");
    run(pair.before, "CREATE SCHEMA app");
    CHECK(diff_snapshots(snapshot_of(pair.before), snapshot_of(pair.after)) ==
          Lines{"table app.my_versions exists after but did not before"});
    SnapshotOptions options;
    options.excluded_tables = {"alembic_version", "app.my_versions"};
    CHECK(diff_snapshots(snapshot_of(pair.before, options), snapshot_of(pair.after, options))
              .empty());
    options.excluded_tables = {};
    CHECK(joined(diff_snapshots(snapshot_of(pair.before, options),
                                snapshot_of(pair.after, options))) ==
          joined({"table app.my_versions exists after but did not before",
                  "table alembic_version exists after but did not before"}));
  }

  TEST_CASE(
      "catalog: a column dropped and added back snapshots equal: its position is not compared") {
    Pair pair;
    run(pair.before, "CREATE TABLE users (id int, bio text, email text)");
    run(pair.after,
        "CREATE TABLE users (id int, bio text, email text); "
        "ALTER TABLE users DROP COLUMN bio; ALTER TABLE users ADD COLUMN bio text");
    CHECK(snapshot_of(pair.before) == snapshot_of(pair.after));
    CHECK_FALSE(readings_differ(pair.before, pair.after));
  }

  TEST_CASE("catalog: snapshots need an idle connection and leave its settings alone") {
    pg::ScratchDatabase scratch = testing::scratch_database();
    pg::Connection connection = open(scratch.params());
    run(connection, "SET search_path = pg_catalog; SET DateStyle = 'German'");
    Result<Snapshot> snapshot = take_snapshot(connection);
    REQUIRE(snapshot.ok());
    CHECK(testing::query_value(connection, "SHOW search_path") == "pg_catalog");
    CHECK(testing::query_value(connection, "SHOW DateStyle") == "German, DMY");
    run(connection, "BEGIN");
    Result<Snapshot> busy = take_snapshot(connection);
    REQUIRE_FALSE(busy.ok());
    CHECK(busy.error().message ==
          "catalog snapshot failed: catalog snapshot: the connection is inside a transaction");
    run(connection, "ROLLBACK");
  }

}  // TEST_SUITE

}  // namespace ag::catalog
