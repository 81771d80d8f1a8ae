#include "checks/lint/migration_file.h"

#include <doctest/doctest.h>

namespace ag::checks::lint {

TEST_SUITE("lint/migration_file") {
  TEST_CASE("call_column: the receiver of the call on that line, 1-based") {
    MigrationFile file(
        "def upgrade():\n"
        "    op.drop_index('ix_a', table_name='account')\n"
        "    with op.batch_alter_table('t') as batch_op:\n"
        "        batch_op.add_column(sa.Column('x', sa.Text()))\n"
        "    op.execute(\n"
        "        'SELECT 1'\n"
        "    )\n");
    CHECK(file.call_column(2) == 5);
    CHECK(file.call_column(4) == 9);
    CHECK(file.call_column(5) == 5);
    CHECK(file.call_column(6) == 9);  // no call starts there: its first token
    CHECK(file.call_column(1) == 1);
    CHECK(file.call_column(40) == 0);
  }

  TEST_CASE("keyword_string: a plain string keyword of the statement at that line") {
    MigrationFile file(
        "def upgrade():\n"
        "    op.drop_index(\n"
        "        'ix_a',\n"
        "        table_name=\"account\", schema='app')\n"
        "    op.drop_index('ix_b', table_name=name)\n");
    CHECK(file.keyword_string(3, "table_name") == "account");
    CHECK(file.keyword_string(2, "schema") == "app");
    CHECK_FALSE(file.keyword_string(5, "table_name").has_value());  // not a literal
    CHECK_FALSE(file.keyword_string(5, "schema").has_value());
  }
}

}  // namespace ag::checks::lint
