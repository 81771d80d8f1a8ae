#include "alembic/error_summary.h"

#include <doctest/doctest.h>

namespace ag::alembic {

TEST_SUITE("alembic") {
  TEST_CASE("an error summary: its first line, the quoted SQL, the SQLSTATE") {
    CHECK(summarize_error("ProgrammingError: (psycopg2.errors.UndefinedTable) relation \"t\" "
                          "does not exist\n\n[SQL: DROP   TABLE\n t]\n(Background ...) "
                          "(SQLSTATE 42P01)") ==
          "ProgrammingError: (psycopg2.errors.UndefinedTable) relation \"t\" does not exist "
          "[SQL: DROP TABLE t] (SQLSTATE 42P01)");
  }

  TEST_CASE("an error summary leaves out Python's addresses, which differ from run to run") {
    CHECK(summarize_error("CompileError: Can't emit DROP CONSTRAINT for constraint "
                          "ForeignKeyConstraint(<sqlalchemy.sql.base.DedupeColumnCollection "
                          "object at 0x7f7b7fb33390>, None); it has no name") ==
          "CompileError: Can't emit DROP CONSTRAINT for constraint "
          "ForeignKeyConstraint(<sqlalchemy.sql.base.DedupeColumnCollection object>, None); it "
          "has no name");
  }
}

}  // namespace ag::alembic
