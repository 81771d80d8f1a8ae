#include "checks/lint/sql_review.h"

#include <doctest/doctest.h>

#include "checks/lint/review_test_support.h"

namespace ag::checks::lint {

using test::rules;
using test::SqlRun;
using Rules = std::vector<std::string>;

namespace {
constexpr const char* kAccount = "CREATE TABLE account (id BIGINT PRIMARY KEY, name TEXT);";
}

TEST_SUITE("lint/sql_review") {
  TEST_CASE("findings only for revisions in scope, the others only feed the history") {
    SqlRun run;
    run.revision("r0").op(kAccount).op("ALTER TABLE account DROP COLUMN name;");
    run.revision("r1").op("ALTER TABLE account DROP COLUMN id;", 4);
    Findings found = run.review({"r1"});
    REQUIRE(rules(found) == Rules{"ban-drop-column", "require-lock-timeout"});
    CHECK(found[0].revision == "r1");
    CHECK(found[0].file == "versions/r1.py");
    CHECK(found[0].line == 4);
  }

  TEST_CASE("a text the parser cannot read is a notice where the revision emitted it") {
    Findings found = SqlRun()
                         .env("SET lock_timeout = '5s';")
                         .revision("r1")
                         .op("CREATE   FANCY\n INDEX ix ON t (a);", 31)
                         .review();
    REQUIRE(rules(found) == Rules{"unparsable-sql"});
    CHECK(found[0].severity == Severity::notice);
    CHECK(found[0].file == "versions/r1.py");
    CHECK(found[0].line == 31);
    CHECK(found[0].message ==
          "PostgreSQL's parser cannot read this statement (syntax error at or near \"FANCY\"), so "
          "no SQL rule checked it: CREATE FANCY INDEX ix ON t (a);");
    std::string long_statement = "CREATE FANCY " + std::string(300, 'x');
    Findings cut = SqlRun().revision("r1").op(long_statement).review();
    REQUIRE(cut.size() == 1);
    CHECK(cut[0].message.ends_with(long_statement.substr(0, 200) + "..."));
    CHECK(SqlRun().env("CREATE FANCY THING;").revision("r1").review().empty());
  }

  TEST_CASE("statements from env.py and from Alembic itself are never judged") {
    CHECK(SqlRun()
              .env("DROP TABLE scratch;")
              .revision("r1")
              .alembic("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                       "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));")
              .alembic("UPDATE alembic_version SET version_num='r1';")
              .review()
              .empty());
  }
}

}  // namespace ag::checks::lint
