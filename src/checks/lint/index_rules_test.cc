#include <doctest/doctest.h>

#include "checks/lint/review_test_support.h"

namespace ag::checks::lint {

using test::lint;
using test::rules;
using test::SqlRun;
using Rules = std::vector<std::string>;

TEST_SUITE("lint/index_rules") {
  TEST_CASE("CREATE INDEX on a table that existed before the revision blocks writes") {
    Findings found = lint("CREATE UNIQUE INDEX ix_account_email ON account (email, lower(name));",
                          "CREATE TABLE account (id BIGINT PRIMARY KEY, email TEXT, name TEXT);");
    REQUIRE(rules(found) == Rules{"require-concurrent-index-creation"});
    const Finding& finding = found[0];
    CHECK(finding.check == "lint");
    CHECK(finding.severity == Severity::error);
    CHECK(finding.file == "versions/r1.py");
    CHECK(finding.line == 1);
    CHECK(finding.revision == "r1");
    CHECK(finding.message ==
          "CREATE INDEX ix_account_email holds a SHARE lock on existing table account until the "
          "index is built, blocking every INSERT, UPDATE and DELETE on it meanwhile");
    CHECK(finding.help ==
          "build it without blocking writes, outside the migration's transaction: `with "
          "op.get_context().autocommit_block(): op.create_index(\"ix_account_email\", \"account\", "
          "[\"email\", sa.text(...)], unique=True, postgresql_concurrently=True)`");
  }

  TEST_CASE("a table never seen created counts as existing too") {
    CHECK(rules(lint("CREATE INDEX ix ON audit.event (at);")) ==
          Rules{"require-concurrent-index-creation"});
  }

  TEST_CASE("CREATE INDEX on a table the same revision created is safe") {
    CHECK(lint("CREATE TABLE note (id BIGINT PRIMARY KEY, body TEXT);\n"
               "CREATE INDEX ix_note_body ON note (body);")
              .empty());
  }

  TEST_CASE("CREATE INDEX CONCURRENTLY in an autocommit block is safe") {
    CHECK(lint("COMMIT;\nCREATE INDEX CONCURRENTLY ix ON account (email);\nBEGIN;",
               "CREATE TABLE account (id BIGINT PRIMARY KEY, email TEXT);")
              .empty());
  }

  TEST_CASE("CONCURRENTLY inside the migration's transaction fails at run time") {
    Findings found = lint("CREATE INDEX CONCURRENTLY ix ON account (email);",
                          "CREATE TABLE account (id BIGINT PRIMARY KEY, email TEXT);");
    REQUIRE(rules(found) == Rules{"concurrently-in-transaction"});
    CHECK(found[0].message ==
          "CREATE INDEX CONCURRENTLY cannot run inside a transaction block, so this migration "
          "fails here with \"CREATE INDEX CONCURRENTLY cannot run inside a transaction block\"");
    CHECK(found[0].help.find("with op.get_context().autocommit_block(): op.create_index(\"ix\", "
                             "\"account\", [\"email\"], postgresql_concurrently=True)") !=
          std::string::npos);
    CHECK(rules(lint("DROP INDEX CONCURRENTLY ix;")) == Rules{"concurrently-in-transaction"});
    CHECK(rules(lint("REINDEX INDEX CONCURRENTLY ix;")) == Rules{"concurrently-in-transaction"});
  }

  TEST_CASE("DROP INDEX of an existing index locks its table") {
    Findings found = lint("DROP INDEX ix_account_email;",
                          "CREATE TABLE account (id BIGINT PRIMARY KEY, email TEXT);\n"
                          "CREATE INDEX ix_account_email ON account (email);");
    REQUIRE(rules(found) == Rules{"require-concurrent-index-deletion"});
    CHECK(found[0].severity == Severity::warning);
    CHECK(found[0].message ==
          "DROP INDEX ix_account_email takes an ACCESS EXCLUSIVE lock on account, blocking all "
          "reads and writes of it while it waits for running queries and while it drops");
    CHECK(found[0].help.find("op.drop_index(\"ix_account_email\", table_name=\"account\", "
                             "postgresql_concurrently=True)") != std::string::npos);
  }

  TEST_CASE("DROP INDEX of an index of unknown table says `its table`") {
    Findings found = lint("DROP INDEX public.ix_old;");
    REQUIRE(rules(found) == Rules{"require-concurrent-index-deletion"});
    CHECK(
        found[0].message.starts_with("DROP INDEX ix_old takes an ACCESS EXCLUSIVE lock on its "
                                     "table"));
  }

  TEST_CASE("DROP INDEX of an index created in the same revision, or concurrently, is safe") {
    CHECK(lint("CREATE TABLE t (a TEXT);\nCREATE INDEX ix ON t (a);\nDROP INDEX ix;").empty());
    CHECK(lint("COMMIT;\nDROP INDEX CONCURRENTLY ix;\nBEGIN;").empty());
  }

  TEST_CASE("DROP INDEX before its table is dropped in the same revision: only ban-drop-table") {
    // Autogenerate writes op.drop_index(...) then op.drop_table(...) for a removed model.
    std::string history =
        "CREATE TABLE report (id BIGINT PRIMARY KEY, title TEXT);\n"
        "CREATE INDEX ix_report_title ON report (title);\n"
        "CREATE TABLE account (id BIGINT PRIMARY KEY, email TEXT);\n"
        "CREATE INDEX ix_account_email ON account (email);";
    CHECK(rules(lint("DROP INDEX ix_report_title;\nDROP TABLE report;", history)) ==
          Rules{"ban-drop-table"});
    // Another table's index is still reported.
    CHECK(rules(lint("DROP INDEX ix_account_email;\nDROP TABLE report;", history)) ==
          Rules{"require-concurrent-index-deletion", "ban-drop-table"});
  }

  TEST_CASE("DROP INDEX when a later revision drops the table: still reported") {
    Findings found = test::SqlRun()
                         .env("SET lock_timeout = '5s';")
                         .revision("r0")
                         .op("CREATE TABLE report (id BIGINT PRIMARY KEY, title TEXT);\n"
                             "CREATE INDEX ix_report_title ON report (title);")
                         .revision("r1")
                         .op("DROP INDEX ix_report_title;")
                         .revision("r2")
                         .op("DROP TABLE report;")
                         .review({"r1", "r2"});
    CHECK(rules(found) == Rules{"require-concurrent-index-deletion", "ban-drop-table"});
  }

  TEST_CASE("REINDEX of an existing table's indexes without CONCURRENTLY blocks writes") {
    constexpr const char* kHistory =
        "CREATE TABLE account (id BIGINT PRIMARY KEY, email TEXT);\n"
        "CREATE INDEX ix_account_email ON account (email);";
    Findings index = lint("REINDEX INDEX ix_account_email;", kHistory);
    REQUIRE(rules(index) == Rules{"require-concurrent-reindex"});
    CHECK(index[0].severity == Severity::error);
    CHECK(index[0].message ==
          "REINDEX rebuilds index ix_account_email on account holding a SHARE lock on account "
          "(every INSERT, UPDATE and DELETE waits) and an ACCESS EXCLUSIVE lock on each index "
          "(queries that would use it wait), until the rebuild ends");
    CHECK(index[0].help ==
          "on PostgreSQL 12+, rebuild without blocking, outside the migration's transaction: "
          "`with op.get_context().autocommit_block(): op.execute(\"REINDEX INDEX CONCURRENTLY "
          "ix_account_email\")`");
    Findings table = lint("REINDEX TABLE account;", kHistory);
    REQUIRE(rules(table) == Rules{"require-concurrent-reindex"});
    CHECK(
        table[0].message.starts_with("REINDEX rebuilds the indexes of account holding a SHARE "
                                     "lock on account"));
    CHECK(lint("REINDEX SCHEMA app;")[0].message.starts_with(
        "REINDEX rebuilds every index of schema app holding a SHARE lock on each table"));
    CHECK(lint("REINDEX INDEX ix_elsewhere;")[0].message.starts_with(
        "REINDEX rebuilds index ix_elsewhere holding a SHARE lock on its table"));
    Findings system = lint("REINDEX SYSTEM app;");
    REQUIRE(rules(system) == Rules{"require-concurrent-reindex"});
    CHECK(system[0].help.starts_with("system catalogs cannot be reindexed concurrently"));
  }

  TEST_CASE("REINDEX CONCURRENTLY in an autocommit block, or of a new table, is safe") {
    SqlRun run;
    run.revision("r0").op("CREATE TABLE account (id BIGINT PRIMARY KEY);");
    run.revision("r1").op("REINDEX TABLE CONCURRENTLY account;");
    CHECK(run.review().empty());
    CHECK(
        lint("CREATE TABLE t (a TEXT);\nCREATE INDEX ix_t ON t (a);\nREINDEX INDEX ix_t;").empty());
  }
}

}  // namespace ag::checks::lint
