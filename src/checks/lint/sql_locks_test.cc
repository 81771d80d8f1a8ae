#include "checks/lint/sql_locks.h"

#include <doctest/doctest.h>

#include "checks/lint/sql_parse.h"

namespace ag::checks::lint {
namespace {

/// "table:MODE" for each blocking lock of `sql` (one statement), after `history` ran.
std::vector<std::string> locks(const std::string& sql, const std::string& history = "") {
  SchemaModel schema;
  Result<std::vector<ParsedStatement>> earlier = parse_sql(history);
  REQUIRE(earlier.ok());
  for (const ParsedStatement& statement : *earlier) schema.apply(statement.tree);
  Result<std::vector<ParsedStatement>> parsed = parse_sql(sql);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 1);
  std::vector<std::string> out;
  for (const TableLock& lock : blocking_locks((*parsed)[0].tree, schema))
    out.push_back(lock.table.display() + ":" + std::string(lock_name(lock.mode)));
  return out;
}

using Locks = std::vector<std::string>;

}  // namespace

TEST_SUITE("lint/sql_locks") {
  TEST_CASE("the lock levels of PostgreSQL's DDL that block reads or writes") {
    CHECK(locks("CREATE INDEX ix ON t (a)") == Locks{"t:SHARE"});
    CHECK(locks("ALTER TABLE t ADD COLUMN a int") == Locks{"t:ACCESS EXCLUSIVE"});
    CHECK(locks("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id)") ==
          Locks{"t:SHARE ROW EXCLUSIVE", "u:SHARE ROW EXCLUSIVE"});
    CHECK(locks("ALTER TABLE t ADD COLUMN a int REFERENCES u (id)") ==
          Locks{"t:ACCESS EXCLUSIVE", "u:SHARE ROW EXCLUSIVE"});
    CHECK(locks("ALTER TABLE t DISABLE TRIGGER ALL") == Locks{"t:SHARE ROW EXCLUSIVE"});
    CHECK(locks("CREATE TABLE n (a int REFERENCES u (id), b int, FOREIGN KEY (b) REFERENCES "
                "s.v (id))") == Locks{"u:SHARE ROW EXCLUSIVE", "s.v:SHARE ROW EXCLUSIVE"});
    CHECK(locks("DROP TABLE a, b") == Locks{"a:ACCESS EXCLUSIVE", "b:ACCESS EXCLUSIVE"});
    CHECK(locks("TRUNCATE a") == Locks{"a:ACCESS EXCLUSIVE"});
    CHECK(locks("ALTER TABLE a RENAME COLUMN x TO y") == Locks{"a:ACCESS EXCLUSIVE"});
    CHECK(locks("CREATE TRIGGER tr BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION f()") ==
          Locks{"a:SHARE ROW EXCLUSIVE"});
    CHECK(locks("LOCK TABLE a IN EXCLUSIVE MODE") == Locks{"a:EXCLUSIVE"});
    CHECK(locks("LOCK TABLE a") == Locks{"a:ACCESS EXCLUSIVE"});
  }

  TEST_CASE("DROP INDEX locks the table its CREATE INDEX named") {
    CHECK(locks("DROP INDEX ix", "CREATE INDEX ix ON t (a)") == Locks{"t:ACCESS EXCLUSIVE"});
    CHECK(locks("DROP INDEX ix").empty());  // its table is unknown
  }

  TEST_CASE("what blocks neither reads nor writes") {
    for (const char* sql :
         {"CREATE INDEX CONCURRENTLY ix ON t (a)", "DROP INDEX CONCURRENTLY ix",
          "ALTER TABLE t VALIDATE CONSTRAINT c", "ALTER TABLE t ALTER COLUMN a SET STATISTICS 100",
          "ALTER TABLE p DETACH PARTITION c CONCURRENTLY", "CREATE TABLE n (a int)", "SELECT 1",
          "LOCK TABLE a IN ROW EXCLUSIVE MODE", "ALTER INDEX ix RENAME TO iy"}) {
      CAPTURE(sql);
      CHECK(locks(sql).empty());
    }
  }
}

}  // namespace ag::checks::lint
