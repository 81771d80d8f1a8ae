#include "catalog/catalog_state.h"

#include <doctest/doctest.h>

#include "catalog/catalog_test_support.h"

namespace ag::catalog {
namespace {

using testing::kEveryKind;
using testing::open;
using testing::run;

const DiffSides kSides{"before", "after"};

/// A step's reading, and two readings made in a later transaction.
struct Later {
  CatalogReading upgraded;  ///< What the step touched, read before it committed.
  CatalogReading unnamed;   ///< Later, with nothing named.
  CatalogReading named;     ///< Later, with what the step touched named (ag_also).
};

/// A migration's session on a scratch database holding every kind of object.
struct Session {
  pg::ScratchDatabase scratch = testing::scratch_database();
  pg::Connection connection = open(scratch.params());

  Session() { run(connection, std::string(kEveryKind)); }

  CatalogReading read(bool whole, const std::string& start = "0",
                      const std::vector<uint32_t>& also = {}) {
    return testing::read_catalog(connection, whole, start, also);
  }

  /// Runs `change` as a committed step, then reads in a later transaction what was touched since
  /// before it, without and with the step's touched units named.
  Later later(const std::string& change) {
    std::string start = testing::query_value(
        connection, "SELECT mod(txid_snapshot_xmax(txid_current_snapshot()), 4294967296)");
    Later readings{.upgraded = step(change), .unnamed = {}, .named = {}};
    run(connection, "BEGIN");
    readings.unnamed = read(false, start);
    readings.named = read(false, start, readings.upgraded.touched);
    run(connection, "ROLLBACK");
    return readings;
  }

  /// Runs `change` in a transaction of its own, as a migration step, and reads what it touched
  /// before committing.
  CatalogReading step(const std::string& change) {
    run(connection, "BEGIN");
    std::string start = testing::query_value(
        connection, "SELECT mod(txid_snapshot_xmax(txid_current_snapshot()), 4294967296)");
    run(connection, change);
    CatalogReading touched = read(false, start);
    run(connection, "COMMIT");
    return touched;
  }
};

}  // namespace

TEST_SUITE("catalog") {
  TEST_CASE("catalog: reading again only what a transaction touched gives the whole reading") {
    Session session;
    CatalogState state;
    state.apply(session.read(true));
    CHECK(state.differences(session.read(true), kSides).empty());

    // Each change as a migration step; some change relations only through an index, through a
    // name they print (a rename of what a foreign key, view, default or column type names), or
    // no relation at all.
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
             "(id) ON DELETE SET NULL",
             "ALTER TABLE users RENAME COLUMN id TO user_id",
             "ALTER TABLE users RENAME TO members",
             "ALTER TABLE members RENAME TO users",
             "ALTER TABLE extra ALTER COLUMN note TYPE varchar(20)",
             "ALTER TABLE extra SET SCHEMA app",
             "ALTER SEQUENCE invoice_numbers INCREMENT 5",
             "ALTER SEQUENCE app.extra_id_seq RENAME TO extra_ids",
             "ALTER SEQUENCE app.extra_ids OWNED BY NONE",
             "CREATE VIEW notes AS SELECT id, note FROM app.extra",
             "CREATE OR REPLACE VIEW notes AS SELECT id, note, at FROM app.extra",
             "ALTER TABLE app.extra RENAME COLUMN note TO remark",
             "CREATE TRIGGER extra_touch BEFORE UPDATE ON app.extra FOR EACH ROW "
             "EXECUTE FUNCTION touch()",
             "ALTER TRIGGER extra_touch ON app.extra RENAME TO extra_touched",
             "ALTER FUNCTION touch() RENAME TO touch_row",
             "ALTER TABLE app.extra ENABLE ROW LEVEL SECURITY",
             "CREATE POLICY mine ON app.extra USING (true)",
             "ALTER TYPE mood ADD VALUE 'meh'",
             "ALTER TYPE mood RENAME TO humour",
             "ALTER DOMAIN posint ADD CONSTRAINT small CHECK (VALUE < 1000000)",
             "ALTER DOMAIN posint RENAME TO positive_int",
             "ALTER TYPE pair ADD ATTRIBUTE c integer",
             "ALTER TYPE pair SET SCHEMA app",
             "ALTER SCHEMA app RENAME TO application",
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
             "DROP TABLE application.extra",
             // Objects that belong to no relation: a change writes their row or locks them.
             "COMMENT ON FUNCTION touch_row() IS 'stamps rows'",
             "COMMENT ON FUNCTION touch_row() IS NULL",
             "REVOKE EXECUTE ON FUNCTION touch_row() FROM PUBLIC",
             "GRANT USAGE ON SCHEMA application TO PUBLIC",
             "COMMENT ON SCHEMA public IS 'standard'",
             "REVOKE USAGE ON TYPE humour FROM PUBLIC",
             "ALTER TYPE humour RENAME VALUE 'meh' TO 'fine'",
             "COMMENT ON CONSTRAINT small ON DOMAIN positive_int IS 'bounded'",
             "ALTER DOMAIN positive_int DROP CONSTRAINT small",
             "ALTER DOMAIN positive_int SET DEFAULT 2",
             "CREATE DOMAIN temper_now AS humour",
             "CREATE FUNCTION add_one(humour) RETURNS integer LANGUAGE sql AS 'SELECT 1'",
             "ALTER TYPE humour RENAME TO temper",
             "COMMENT ON COLUMN application.pair.a IS 'first'",
             "ALTER TYPE application.pair RENAME ATTRIBUTE a TO first",
             "CREATE EXTENSION pg_trgm",
             "DROP EXTENSION pg_trgm",
             "CREATE SCHEMA spare",
             "DROP SCHEMA spare",
             "CREATE SCHEMA ext_home",
             "CREATE EXTENSION pg_trgm SCHEMA ext_home",
             "ALTER SCHEMA ext_home RENAME TO ext_place",
             "DROP EXTENSION pg_trgm",
             "DROP SCHEMA ext_place",
             "CREATE COLLATION app_order FROM \"C\"",
             "CREATE DOMAIN label AS text COLLATE app_order",
             "ALTER COLLATION app_order RENAME TO app_sort",
             "DROP DOMAIN label",
             "DROP FUNCTION add_one(temper)",
             "DROP DOMAIN temper_now",
             "DROP TYPE floatrange",
             "DROP PROCEDURE noop(integer)",
             "DROP AGGREGATE total(integer)",
             "DROP TYPE application.pair",
             "DROP TYPE temper",
             "DROP FUNCTION touch_row() CASCADE",
         }) {
      CAPTURE(change);
      state.apply(session.step(std::string(change)));
      std::vector<std::string> missed = state.differences(session.read(true), kSides);
      CHECK_MESSAGE(missed.empty(), (missed.empty() ? "" : missed.front()));
    }
  }

  TEST_CASE("catalog: what an earlier transaction of the step touched is read again when named") {
    // The worker commits an upgrade before its downgrade: the downgrade's transaction holds
    // none of the upgrade's locks, and is told what the upgrade touched.
    Session session;
    CatalogState state;
    state.apply(session.read(true));
    Later comment = session.later("COMMENT ON COLUMN cache.value IS 'cached'");
    CHECK_FALSE(state.differences(comment.upgraded, kSides).empty());
    CHECK(state.differences(comment.unnamed, kSides).empty());  // no lock held tells of it
    CHECK(state.differences(comment.named, kSides) ==
          std::vector<std::string>{
              "comment on column value of table cache exists after but did not before"});
  }

  TEST_CASE("catalog: an object an earlier transaction dropped is read again when named") {
    Session session;
    CatalogState state;
    state.apply(session.read(true));
    Later drop = session.later("DROP PROCEDURE noop(integer)");
    CHECK(state.differences(drop.unnamed, kSides).empty());  // no row and no lock tells of it
    CHECK(state.differences(drop.named, kSides) ==
          std::vector<std::string>{"procedure noop(integer) is missing after but existed before"});
  }

  TEST_CASE("catalog: a function written again with other white space is no difference") {
    Session session;
    CatalogState state;
    state.apply(session.read(true));
    CatalogReading rewritten = session.step(
        "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "  BEGIN\n\n    NEW.created_at := now();  RETURN NEW;\n  END\n$$");
    CHECK(state.differences(rewritten, kSides).empty());
  }

  TEST_CASE("catalog: a column dropped and added back, or a table made again, is no difference") {
    Session session;
    CatalogState state;
    state.apply(session.read(true));
    CatalogReading restored = session.step(
        "ALTER TABLE users DROP COLUMN name; "
        "ALTER TABLE users ADD COLUMN name varchar(100) COLLATE \"C\"; "
        "CREATE UNIQUE INDEX ux_users_name ON users (name DESC NULLS LAST); "
        "DROP TABLE cache; "
        "CREATE UNLOGGED TABLE cache (key text PRIMARY KEY, value jsonb) WITH (fillfactor = 70)");
    CHECK(state.differences(restored, kSides).empty());
  }

  TEST_CASE("catalog: privileges are a set, the owner's default written out no difference") {
    // A REVOKE of what was granted, or a GRANT of what the owner has, writes the owner's default
    // privileges out where there were none: the same privileges, and pg_dump prints neither.
    Session session;
    CatalogState state;
    state.apply(session.read(true));
    std::vector<std::string> lines;
    for (std::string object : {"TABLE cache", "SEQUENCE invoice_numbers", "FUNCTION touch()",
                               "TYPE mood", "SCHEMA app"}) {
      for (const std::string& line :
           state.differences(session.step("GRANT ALL ON " + object + " TO CURRENT_USER"), kSides))
        lines.push_back(line);
    }
    CHECK_MESSAGE(lines.empty(), fmt::format("{}", fmt::join(lines, "\n")));
    // Granted back after a revoke, an item comes last: the same set.
    lines = state.differences(session.step("REVOKE ALL ON FUNCTION touch() FROM PUBLIC; "
                                           "GRANT EXECUTE ON FUNCTION touch() TO PUBLIC"),
                              kSides);
    CHECK_MESSAGE(lines.empty(), fmt::format("{}", fmt::join(lines, "\n")));
    CatalogReading changed = session.step(
        "GRANT SELECT ON TABLE cache TO PUBLIC; REVOKE ALL ON FUNCTION touch() FROM PUBLIC");
    CHECK(state.differences(changed, kSides) ==
          std::vector<std::string>{
              "table cache: privileges none before, {=r/postgres,postgres=arwdDxt/postgres} after",
              "function touch(): privileges none before, {postgres=X/postgres} after"});
  }

  TEST_CASE("catalog: what a downgrade changed is named with what differs") {
    Session session;
    CatalogState state;
    state.apply(session.read(true));
    CatalogReading changed = session.step(
        "ALTER TABLE app.posts DROP CONSTRAINT posts_user_id_fkey; "
        "ALTER TABLE app.posts ADD CONSTRAINT posts_user_id_fkey FOREIGN KEY (user_id) "
        "REFERENCES users (id) DEFERRABLE; "
        "CREATE INDEX ix_left ON cache (value); "
        "ALTER TYPE mood ADD VALUE 'meh'; "
        "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NEW; END $$");
    std::string lines;
    for (const std::string& line : state.differences(changed, kSides)) lines += line + "\n";
    CHECK(lines ==
          "constraint posts_user_id_fkey on app.posts: definition FOREIGN KEY (user_id) "
          "REFERENCES users(id) ON DELETE CASCADE before, FOREIGN KEY (user_id) REFERENCES "
          "users(id) after\n"
          "index ix_left on cache exists after but did not before\n"
          "function touch(): definition differs\n"
          "enum type mood: values 'sad', 'ok', 'happy' before, 'sad', 'ok', 'happy', 'meh' "
          "after\n");
  }

  TEST_CASE("catalog: a malformed reading is an error") {
    CHECK_FALSE(read_catalog_rows({{std::nullopt}}, true).ok());
    CHECK_FALSE(read_catalog_rows({{"x1", "table", "public", "", "t"}}, true).ok());
    CHECK_FALSE(read_catalog_rows({{std::nullopt, "table", "public", "", "t"}}, true).ok());
    CHECK_FALSE(read_catalog_rows({{std::nullopt, "no such kind", "", "", ""}}, true).ok());
  }
}

}  // namespace ag::catalog
