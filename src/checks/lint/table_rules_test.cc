#include <doctest/doctest.h>

#include "checks/lint/review_test_support.h"

namespace ag::checks::lint {

using test::lint;
using test::rules;
using test::SqlRun;
using test::with_rule;
using Rules = std::vector<std::string>;

namespace {
constexpr const char* kAccount = "CREATE TABLE account (id BIGINT PRIMARY KEY, name TEXT);";
}

TEST_SUITE("lint/table_rules") {
  TEST_CASE("DROP TABLE and renaming a table that existed before the revision") {
    Findings dropped = lint("DROP TABLE account;", kAccount);
    REQUIRE(rules(dropped) == Rules{"ban-drop-table"});
    CHECK(dropped[0].severity == Severity::warning);
    CHECK(dropped[0].message ==
          "DROP TABLE account deletes its data for good and breaks every running instance of the "
          "application that still uses it");
    CHECK(dropped[0].help ==
          "stop using it first: remove account's model and deploy that; then drop it in a later "
          "release and say so: `op.drop_table(\"account\")  # alembic-gate: ignore[ban-drop-table] "
          "unused since <release>`");
    Findings renamed = lint("ALTER TABLE account RENAME TO member;", kAccount);
    REQUIRE(rules(renamed) == Rules{"renaming-table"});
    CHECK(renamed[0].message ==
          "renaming table account to member breaks every running instance of the application "
          "that still uses the old name, until the new code is everywhere");
    CHECK(renamed[0].help.find("op.execute(\"CREATE VIEW account AS SELECT * FROM member\")") !=
          std::string::npos);
  }

  TEST_CASE("dropping or renaming a table the revision created is safe") {
    CHECK(lint("CREATE TABLE tmp (a TEXT);\nALTER TABLE tmp RENAME TO tmp2;\nDROP TABLE tmp2;")
              .empty());
  }

  TEST_CASE("require-lock-timeout: a blocking lock on an existing table, no lock_timeout") {
    Findings found = SqlRun()
                         .revision("r0")
                         .op(kAccount)
                         .revision("r1")
                         .alembic("BEGIN;")
                         .op("CREATE TABLE note (id BIGINT PRIMARY KEY);", 12)
                         .op("ALTER TABLE account ADD COLUMN nickname TEXT;", 13)
                         .op("ALTER TABLE account ADD COLUMN bio TEXT;", 14)
                         .alembic("COMMIT;")
                         .review();
    REQUIRE(rules(found) == Rules{"require-lock-timeout"});  // once per revision
    CHECK(found[0].severity == Severity::warning);
    CHECK(found[0].line == 13);
    CHECK(found[0].message ==
          "ALTER TABLE needs an ACCESS EXCLUSIVE lock on existing table account and no "
          "lock_timeout is set: while it waits behind a long-running transaction, all later "
          "reads and writes of account wait behind it");
  }

  TEST_CASE("require-lock-timeout: SHARE locks block writes only") {
    Findings found = SqlRun()
                         .revision("r1")
                         .op("COMMIT; CREATE INDEX CONCURRENTLY ix_a ON account (name); BEGIN;")
                         .op("CREATE TABLE note (id BIGINT PRIMARY KEY, account_id BIGINT "
                             "REFERENCES account (id));",
                             7)
                         .review();
    REQUIRE(rules(found) == Rules{"require-lock-timeout"});
    CHECK(found[0].line == 7);
    CHECK(
        found[0].message.starts_with("CREATE TABLE needs a SHARE ROW EXCLUSIVE lock on "
                                     "existing table account"));
    CHECK(found[0].message.ends_with("all later writes of account wait behind it"));
  }

  TEST_CASE("require-lock-timeout: a timeout set by env.py or the revision silences it") {
    auto run = [](SqlRun& sql) {
      return with_rule(sql.op("ALTER TABLE account DROP COLUMN name;").review(),
                       "require-lock-timeout");
    };
    SqlRun from_env;
    from_env.env("SET lock_timeout = '5s';").revision("r1");
    CHECK(run(from_env).empty());
    SqlRun from_revision;
    from_revision.revision("r1").op("SET lock_timeout TO '2s';");
    CHECK(run(from_revision).empty());
    SqlRun by_set_config;
    by_set_config.revision("r1").op("SELECT set_config('lock_timeout', '3s', false);");
    CHECK(run(by_set_config).empty());
    SqlRun local;
    local.revision("r1").alembic("BEGIN;").op("SET LOCAL lock_timeout = '1s';");
    CHECK(run(local).empty());
  }

  TEST_CASE("require-lock-timeout: what does not count as a timeout") {
    auto reported = [](SqlRun& sql) {
      return !with_rule(sql.op("ALTER TABLE account DROP COLUMN name;").review(),
                        "require-lock-timeout")
                  .empty();
    };
    SqlRun zero;
    zero.env("SET lock_timeout = 0;").revision("r1");
    CHECK(reported(zero));
    SqlRun reset;
    reset.env("SET lock_timeout = '5s';").revision("r1").op("RESET lock_timeout;");
    CHECK(reported(reset));
    SqlRun local_ended;  // SET LOCAL ends with its transaction (an autocommit block commits it)
    local_ended.revision("r1").alembic("BEGIN;").op("SET LOCAL lock_timeout = '1s';").op("COMMIT;");
    CHECK(reported(local_ended));
    SqlRun previous_revision;  // a revision's own SET counts for that revision only
    previous_revision.revision("r0").op("SET lock_timeout = '5s';").revision("r1");
    CHECK(reported(previous_revision));
  }

  TEST_CASE("require-lock-timeout: locks on tables the revision created, or weak locks, are fine") {
    CHECK(SqlRun()
              .revision("r1")
              .op("CREATE TABLE t (a TEXT);")
              .op("CREATE INDEX ix ON t (a);")
              .op("ALTER TABLE t ADD COLUMN b TEXT;")
              .op("ALTER TABLE account VALIDATE CONSTRAINT ck;")
              .review()
              .empty());
  }

  TEST_CASE("TRUNCATE ... CASCADE of an existing table, and without CASCADE it is not reported") {
    Findings found = lint("CREATE TABLE tmp (a TEXT);\nTRUNCATE account, tmp CASCADE;", kAccount);
    REQUIRE(rules(found) == Rules{"ban-truncate-cascade"});
    CHECK(found[0].severity == Severity::error);
    CHECK(found[0].message ==
          "TRUNCATE account CASCADE also empties every table with a foreign key to it, and "
          "theirs in turn, under ACCESS EXCLUSIVE locks: rows of tables the migration never "
          "names are deleted for good");
    CHECK(found[0].help ==
          "name every table to empty, without CASCADE: `op.execute(\"TRUNCATE account, <the "
          "referencing tables>\")`; PostgreSQL then refuses while another table still "
          "references them, instead of emptying it");
    CHECK(lint("TRUNCATE account;", kAccount).empty());
    CHECK(lint("CREATE TABLE tmp (a TEXT);\nTRUNCATE tmp CASCADE;").empty());
  }

  TEST_CASE("DETACH PARTITION without CONCURRENTLY locks the partitioned table") {
    constexpr const char* kEvents =
        "CREATE TABLE event (id BIGINT, at DATE) PARTITION BY RANGE (at);\n"
        "CREATE TABLE event_2024 PARTITION OF event FOR VALUES FROM ('2024-01-01') TO "
        "('2025-01-01');";
    Findings found = lint("ALTER TABLE event DETACH PARTITION event_2024;", kEvents);
    REQUIRE(rules(found) == Rules{"require-concurrent-partition-detach"});
    CHECK(found[0].severity == Severity::warning);
    CHECK(found[0].message ==
          "DETACH PARTITION event_2024 takes an ACCESS EXCLUSIVE lock on event: all reads and "
          "writes of the partitioned table wait while it waits for running queries");
    CHECK(found[0].help ==
          "on PostgreSQL 14+, detach it without blocking, outside the migration's transaction: "
          "`with op.get_context().autocommit_block(): op.execute(\"ALTER TABLE event DETACH "
          "PARTITION event_2024 CONCURRENTLY\")`");
    SqlRun concurrent;
    concurrent.revision("r0").op(kEvents);
    concurrent.revision("r1").op("ALTER TABLE event DETACH PARTITION event_2024 CONCURRENTLY;");
    CHECK(concurrent.review().empty());
  }

  TEST_CASE("CLUSTER and VACUUM FULL rewrite existing tables, a plain VACUUM is not reported") {
    Findings clustered = lint("CLUSTER account USING account_pkey;", kAccount);
    REQUIRE(rules(clustered) == Rules{"ban-cluster"});
    CHECK(clustered[0].severity == Severity::error);
    CHECK(clustered[0].message ==
          "CLUSTER rewrites account under an ACCESS EXCLUSIVE lock: all reads and writes of it "
          "wait until the whole table is copied and its indexes rebuilt");
    CHECK(clustered[0].help ==
          "keep physical maintenance out of migrations: rebuild the table online with "
          "pg_repack, or run it in a maintenance window; if it must stay, say why: "
          "`# alembic-gate: ignore[ban-cluster] <why>`");
    // Alembic's transaction is open in lint(): VACUUM fails there too, and the message says so.
    Findings vacuumed = lint("VACUUM (FULL, ANALYZE) account;", kAccount);
    REQUIRE(rules(vacuumed) == Rules{"ban-vacuum-full"});
    CHECK(vacuumed[0].message ==
          "VACUUM FULL rewrites account under an ACCESS EXCLUSIVE lock: all reads and writes of "
          "it wait until the whole table is copied and its indexes rebuilt; and VACUUM cannot "
          "run inside a transaction block, so this migration fails here");
    SqlRun outside;  // in an autocommit block: the rewrite alone
    outside.revision("r0").op(kAccount);
    outside.revision("r1").op("VACUUM FULL account;");
    REQUIRE(rules(outside.review({"r1"})) == Rules{"ban-vacuum-full", "require-lock-timeout"});
    CHECK(outside.review({"r1"})[0].message.ends_with("its indexes rebuilt"));
    CHECK(lint("VACUUM ANALYZE account;", kAccount).empty());
    CHECK(lint("CREATE TABLE tmp (a TEXT);\nVACUUM FULL tmp;\nCLUSTER tmp;").empty());
  }

  TEST_CASE(
      "require-lock-timeout: a revision whose only statement is REINDEX, CLUSTER or "
      "VACUUM FULL") {
    for (const char* sql : {"REINDEX TABLE account;", "CLUSTER account;", "VACUUM FULL account;",
                            "ALTER TABLE account DETACH PARTITION account_old;"}) {
      CAPTURE(sql);
      Findings found =
          SqlRun().revision("r0").op(kAccount).revision("r1").op(sql, 7).review({"r1"});
      REQUIRE(with_rule(found, "require-lock-timeout").size() == 1);
      CHECK(with_rule(found, "require-lock-timeout")[0].line == 7);
    }
  }
}

}  // namespace ag::checks::lint
