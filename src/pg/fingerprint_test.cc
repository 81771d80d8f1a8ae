#include "pg/fingerprint.h"

#include <doctest/doctest.h>

#include "pg/pg_test_support.h"

namespace ag::pg {
namespace {

using testing::kEveryKind;
using testing::open;
using testing::run;

PinnedFingerprint pinned(Connection& connection) {
  Result<PinnedFingerprint> pin = PinnedFingerprint::pin(connection);
  REQUIRE_MESSAGE(pin.ok(), (pin.ok() ? "" : pin.error().message));
  return std::move(*pin);
}

Fingerprint computed(PinnedFingerprint pin, Connection& connection) {
  Result<Fingerprint> fingerprint = pin.compute();
  REQUIRE_MESSAGE(fingerprint.ok(), (fingerprint.ok() ? "" : fingerprint.error().message));
  CHECK(connection.idle());
  return *fingerprint;
}

/// The stored fingerprint of the database as it is now.
Fingerprint of_database(Connection& connection) {
  return computed(pinned(connection), connection);
}

/// A scratch database holding every kind of object, with two sessions: the catalog's reader
/// and one that changes the database meanwhile, as a migration would.
struct Sessions {
  ScratchDatabase scratch = testing::scratch_database();
  Connection catalog = open(scratch.params());
  Connection migration = open(scratch.params());

  Sessions() { run(catalog, std::string(kEveryKind)); }
};

// Every user relation, locked as a migration altering it would (ACCESS EXCLUSIVE), until the
// transaction ends (LOCK TABLE refuses materialized views; refreshing one locks it so).
constexpr std::string_view kLockEverything = R"sql(
BEGIN;
DO $$ DECLARE r regclass; BEGIN
  FOR r IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p', 'v') AND n.nspname IN ('public', 'app') LOOP
    EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', r);
  END LOOP;
END $$;
REFRESH MATERIALIZED VIEW post_counts;
)sql";

}  // namespace

TEST_SUITE("pg") {
  TEST_CASE("pg: a stored fingerprint never waits for another session's locks") {
    Sessions sessions;
    Connection& catalog = sessions.catalog;
    Connection& migration = sessions.migration;
    Fingerprint unlocked = of_database(catalog);

    run(migration, std::string(kLockEverything));
    run(catalog, "SET lock_timeout = '200ms'");
    CHECK(of_database(catalog) == unlocked);
    // The portable fingerprint deparses expressions, which opens (and waits for) their tables.
    Result<Fingerprint> waiting = take_fingerprint(catalog);
    REQUIRE_FALSE(waiting.ok());
    CHECK(waiting.error().message.find("lock timeout") != std::string::npos);
    run(migration, "ROLLBACK");
  }

  TEST_CASE("pg: a pinned fingerprint describes the state it was pinned on") {
    Sessions sessions;
    Connection& catalog = sessions.catalog;
    Connection& migration = sessions.migration;
    Fingerprint before = of_database(catalog);

    // Work another session has not committed yet never shows, whatever it changes.
    PinnedFingerprint pin = pinned(catalog);
    run(migration,
        "BEGIN; ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'; ALTER TABLE users RENAME TO people; "
        "CREATE SEQUENCE more");
    CHECK(computed(std::move(pin), catalog) == before);
    run(migration, "ROLLBACK");

    // Nor does work it commits: every fact is read under the pinned snapshot.
    PinnedFingerprint again = pinned(catalog);
    run(migration,
        "ALTER TABLE users ADD COLUMN nickname text; DROP VIEW happy_users; "
        "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'; DROP TABLE cache; "
        "CREATE INDEX ix_users_name ON users (name)");
    CHECK(computed(std::move(again), catalog) == before);
    CHECK(of_database(catalog) != before);
  }

  TEST_CASE("pg: the difference between two fingerprints depends only on what differs") {
    ScratchDatabase scratch = testing::scratch_database();
    Connection connection = open(scratch.params());
    run(connection, std::string(kEveryKind));
    Fingerprint start = of_database(connection);
    run(connection, "CREATE TYPE left_behind AS ENUM ('a')");
    Fingerprint with_type = of_database(connection);
    run(connection, "CREATE TABLE extra (id serial PRIMARY KEY)");
    Fingerprint with_both = of_database(connection);
    run(connection, "DROP TYPE left_behind");
    Fingerprint with_table = of_database(connection);

    // The type sets apart the states with it from those without it, whatever else they hold.
    CHECK(with_type.minus(start) != Fingerprint{});
    CHECK(with_both.minus(with_table) == with_type.minus(start));
    CHECK(with_table.minus(start) != with_type.minus(start));
    CHECK(start.minus(start) == Fingerprint{});
  }

  TEST_CASE("pg: stored fingerprints tell states of one database apart") {
    ScratchDatabase scratch = testing::scratch_database();
    Connection connection = open(scratch.params());
    run(connection, std::string(kEveryKind));
    Fingerprint original = of_database(connection);
    CHECK(of_database(connection) == original);  // stable

    // Each change is seen; undoing it (without recreating anything) restores the fingerprint.
    struct Change {
      std::string_view doing, undoing;
    };
    for (Change change : std::initializer_list<Change>{
             {"CREATE TABLE extra (id serial PRIMARY KEY)", "DROP TABLE extra"},
             {"ALTER TABLE app.posts ADD COLUMN summary text",
              "ALTER TABLE app.posts DROP COLUMN summary"},
             {"CREATE INDEX ix_cache_value ON cache (value)", "DROP INDEX ix_cache_value"},
             {"ALTER TABLE users ALTER COLUMN name SET NOT NULL",
              "ALTER TABLE users ALTER COLUMN name DROP NOT NULL"},
             {"ALTER TABLE app.posts ALTER COLUMN body SET DEFAULT 'x'",
              "ALTER TABLE app.posts ALTER COLUMN body DROP DEFAULT"},
             {"ALTER TABLE app.posts VALIDATE CONSTRAINT body_length", ""},
             {"COMMENT ON COLUMN users.name IS 'display name'",
              "COMMENT ON COLUMN users.name IS NULL"},
             {"ALTER TYPE mood ADD VALUE 'elated'", ""},
             {"CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql "
              "AS $$ BEGIN RETURN NEW; END $$",
              ""},
             {"ALTER TABLE users DISABLE TRIGGER users_touch",
              "ALTER TABLE users ENABLE TRIGGER users_touch"},
             {"ALTER POLICY own_rows ON users USING (true)", ""},
             {"REVOKE SELECT ON users FROM PUBLIC", "GRANT SELECT ON users TO PUBLIC"},
         }) {
      CAPTURE(change.doing);
      Fingerprint before = of_database(connection);
      run(connection, std::string(change.doing));
      CHECK(of_database(connection) != before);
      if (!change.undoing.empty()) {
        run(connection, std::string(change.undoing));
        CHECK(of_database(connection) == before);
      }
    }
  }

  TEST_CASE("pg: reading again only the relations a transaction locked gives the whole reading") {
    Sessions sessions;
    Connection& catalog = sessions.catalog;
    testing::StepSession steps(sessions.migration);
    RelationSums sums;
    Result<PinnedFingerprint> first = PinnedFingerprint::pin(catalog);
    REQUIRE(first.ok());
    REQUIRE(first->compute(sums).ok());

    // Each change in a transaction of its own, as a migration step; some change catalog rows
    // of relations they lock only through an index, or of no relation at all.
    for (std::string_view change : {
             "CREATE TABLE extra (id serial PRIMARY KEY, note text, owner bigint)",
             "ALTER TABLE extra ADD COLUMN at timestamptz DEFAULT now()",
             "CREATE INDEX ix_extra_note ON extra (note)",
             "ALTER INDEX ix_extra_note RENAME TO ix_extra_note_2",
             "ALTER INDEX ix_extra_note_2 SET (fillfactor = 50)",
             "COMMENT ON INDEX ix_extra_note_2 IS 'by note'",
             "COMMENT ON COLUMN extra.note IS 'free text'",
             "COMMENT ON CONSTRAINT extra_pkey ON extra IS 'identity'",
             "ALTER TABLE extra RENAME CONSTRAINT extra_pkey TO extra_pk",
             "GRANT SELECT, INSERT ON extra TO PUBLIC",
             "REVOKE INSERT ON extra FROM PUBLIC",
             "ALTER TABLE extra ADD CONSTRAINT note_length CHECK (length(note) < 10)",
             "ALTER TABLE extra ADD CONSTRAINT extra_owner FOREIGN KEY (owner) REFERENCES users "
             "(id)",
             "ALTER TABLE extra ALTER COLUMN note TYPE varchar(20)",
             "ALTER TABLE extra SET SCHEMA app",
             "ALTER SEQUENCE invoice_numbers INCREMENT 5",
             "ALTER SEQUENCE app.extra_id_seq OWNED BY NONE",
             "CREATE VIEW notes AS SELECT id, note FROM app.extra",
             "CREATE OR REPLACE VIEW notes AS SELECT id, note, at FROM app.extra",
             "CREATE TRIGGER extra_touch BEFORE UPDATE ON app.extra FOR EACH ROW "
             "EXECUTE FUNCTION touch()",
             "ALTER TRIGGER extra_touch ON app.extra RENAME TO extra_touched",
             "ALTER TABLE app.extra ENABLE ROW LEVEL SECURITY",
             "CREATE POLICY mine ON app.extra USING (true)",
             "ALTER TYPE mood ADD VALUE 'meh'",
             "ALTER TYPE mood RENAME TO humour",
             "ALTER DOMAIN posint ADD CONSTRAINT small CHECK (VALUE < 1000000)",
             "ALTER TYPE pair ADD ATTRIBUTE c integer",
             "ALTER TYPE pair SET SCHEMA app",
             "ALTER TABLE events DETACH PARTITION events_2024",
             "ALTER TABLE events ATTACH PARTITION events_2024 "
             "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
             "CREATE INDEX ix_events_kind ON events (kind)",
             "REFRESH MATERIALIZED VIEW post_counts",
             "INSERT INTO cache VALUES ('k', '{}')",
             "ALTER TABLE cache ALTER COLUMN value TYPE text",
             "CREATE TABLE copied AS SELECT 1 AS x",
             "DROP INDEX ux_users_name",
             "ALTER TABLE users DROP COLUMN score CASCADE",
             "DROP TABLE users CASCADE",
             "DROP VIEW notes",
             "DROP TABLE app.extra",
         }) {
      CAPTURE(change);
      std::optional<std::vector<uint32_t>> locked = steps.step(std::string(change));
      REQUIRE(locked.has_value());
      Result<PinnedFingerprint> pin = PinnedFingerprint::pin(catalog, {}, locked);
      REQUIRE(pin.ok());
      Result<Fingerprint> incremental = pin->compute(sums);
      REQUIRE_MESSAGE(incremental.ok(), (incremental.ok() ? "" : incremental.error().message));
      CHECK(*incremental == of_database(catalog));
    }
    CHECK(sums.whole_reads() == 1);  // the first reading only
  }

  TEST_CASE("pg: a transaction that committed midway tells no locks") {
    Sessions sessions;
    testing::StepSession steps(sessions.migration);
    CHECK(steps.step("CREATE TABLE one (id integer)").has_value());
    CHECK_FALSE(steps.step("CREATE TABLE two (id integer); COMMIT; BEGIN").has_value());
    CHECK(steps.step("DROP TABLE one").has_value());
  }

  TEST_CASE("pg: a change made without a lock that changes which relations exist is read whole") {
    Sessions sessions;
    Connection& catalog = sessions.catalog;
    RelationSums sums;
    Result<PinnedFingerprint> first = PinnedFingerprint::pin(catalog);
    REQUIRE(first.ok());
    REQUIRE(first->compute(sums).ok());

    // As from another session than the one whose locks are known: nothing was locked.
    run(sessions.migration, "CREATE TABLE elsewhere (id integer)");
    Result<PinnedFingerprint> pin = PinnedFingerprint::pin(catalog, {}, std::vector<uint32_t>{});
    REQUIRE(pin.ok());
    Result<Fingerprint> fingerprint = pin->compute(sums);
    REQUIRE(fingerprint.ok());
    CHECK(*fingerprint == of_database(catalog));
    CHECK(sums.whole_reads() == 2);
  }

  TEST_CASE("pg: a pin never used ends with its object, and the connection is idle again") {
    ScratchDatabase scratch = testing::scratch_database();
    Connection connection = open(scratch.params());
    {
      PinnedFingerprint pin = pinned(connection);
      CHECK_FALSE(connection.idle());
    }
    CHECK(connection.idle());
    CHECK(PinnedFingerprint::pin(connection).ok());  // and can be pinned again (then dropped)
    CHECK(connection.idle());
  }
}

}  // namespace ag::pg
