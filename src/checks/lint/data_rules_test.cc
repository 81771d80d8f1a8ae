#include <doctest/doctest.h>

#include "checks/lint/review_test_support.h"

namespace ag::checks::lint {

using test::lint;
using test::rules;
using Rules = std::vector<std::string>;

namespace {
constexpr const char* kAccount = "CREATE TABLE account (id BIGINT PRIMARY KEY, plan TEXT);";
}

TEST_SUITE("lint/data_rules") {
  TEST_CASE("UPDATE of every row of an existing table in one statement") {
    Findings found = lint("UPDATE account SET plan = 'free';", kAccount);
    REQUIRE(rules(found) == Rules{"unbatched-data-change"});
    CHECK(found[0].severity == Severity::warning);
    CHECK(found[0].message ==
          "UPDATE account with no WHERE changes every row in one statement: each row it "
          "reaches stays locked until the migration commits, so every write to account waits "
          "meanwhile, and the transaction runs as long as the whole table takes");
    CHECK(found[0].help ==
          "change the rows in batches, each committed on its own: in `with "
          "op.get_context().autocommit_block():`, repeat `op.execute(\"UPDATE account SET ... "
          "WHERE id IN (SELECT id FROM account WHERE <not done yet> LIMIT 10000)\")` until it "
          "changes no row (or move the backfill out of the migration, into a job)");
    // What the deploy gate weighs by the table's size.
    CHECK(found[0].tables == std::vector<std::string>{"account"});
  }

  TEST_CASE("DELETE of every row of an existing table suggests batches or TRUNCATE") {
    Findings found = lint("DELETE FROM account;", kAccount);
    REQUIRE(rules(found) == Rules{"unbatched-data-change"});
    CHECK(found[0].message.starts_with("DELETE account with no WHERE deletes every row"));
    CHECK(found[0].help.find("`op.execute(\"TRUNCATE account\")`") != std::string::npos);
  }

  TEST_CASE("a WHERE clause, or a table the revision created, is not reported") {
    CHECK(lint("UPDATE account SET plan = 'free' WHERE plan IS NULL;", kAccount).empty());
    CHECK(lint("DELETE FROM account WHERE id IN (SELECT id FROM account LIMIT 100);", kAccount)
              .empty());
    CHECK(lint("CREATE TABLE tmp (a TEXT);\nUPDATE tmp SET a = 'x';\nDELETE FROM tmp;").empty());
  }
}

}  // namespace ag::checks::lint
