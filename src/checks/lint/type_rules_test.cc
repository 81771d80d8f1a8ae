#include <doctest/doctest.h>

#include "checks/lint/review_test_support.h"

namespace ag::checks::lint {

using test::lint;
using test::rules;
using Rules = std::vector<std::string>;

TEST_SUITE("lint/type_rules") {
  TEST_CASE("prefer-bigint-over-int: new integer primary keys") {
    Findings found = lint("CREATE TABLE account (id INTEGER NOT NULL, PRIMARY KEY (id));");
    REQUIRE(rules(found) == Rules{"prefer-bigint-over-int"});
    CHECK(found[0].message ==
          "primary key account.id is integer, which runs out at 2,147,483,647; widening it later "
          "rewrites account and every table referencing it under ACCESS EXCLUSIVE locks");
    CHECK(found[0].help == "`sa.Column(\"id\", sa.BigInteger(), primary_key=True)`");
    CHECK(rules(lint("CREATE TABLE t (id SERIAL PRIMARY KEY);")) ==
          Rules{"prefer-bigint-over-int"});
    Findings small = lint("CREATE TABLE t (id SMALLINT PRIMARY KEY);");
    REQUIRE(rules(small) == Rules{"prefer-bigint-over-int"});
    CHECK(small[0].message.find("smallint, which runs out at 32,767") != std::string::npos);
    CHECK(rules(lint("ALTER TABLE t ADD PRIMARY KEY (id);", "CREATE TABLE t (id INT NOT NULL);")) ==
          Rules{"disallowed-unique-constraint", "prefer-bigint-over-int"});
  }

  TEST_CASE("prefer-bigint-over-int: bigint, uuid and composite keys are fine") {
    CHECK(lint("CREATE TABLE a (id BIGINT PRIMARY KEY);\n"
               "CREATE TABLE b (id UUID PRIMARY KEY);\n"
               "CREATE TABLE c (x INT, y INT, PRIMARY KEY (x, y));\n"
               "CREATE TABLE d (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n INT);")
              .empty());
  }

  TEST_CASE("prefer-bigint-over-int: a foreign key column narrower than the key it references") {
    constexpr const char* kUsers = "CREATE TABLE users (id BIGINT PRIMARY KEY);";
    Findings column = lint(
        "CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id INTEGER "
        "REFERENCES users (id));",
        kUsers);
    REQUIRE(rules(column) == Rules{"prefer-bigint-over-int"});
    CHECK(column[0].message ==
          "foreign key column orders.user_id is integer but references users.id, a bigint: once "
          "users.id passes 2,147,483,647, rows referencing it cannot be stored");
    CHECK(column[0].help ==
          "give it the referenced key's type: `sa.Column(\"user_id\", sa.BigInteger(), "
          "sa.ForeignKey(\"users.id\"))`");
    // A table-level constraint, and one added to an existing column.
    CHECK(rules(lint("CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id INT, "
                     "FOREIGN KEY (user_id) REFERENCES users (id));",
                     kUsers)) == Rules{"prefer-bigint-over-int"});
    Findings added = lint(
        "ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id) "
        "NOT VALID;",
        std::string(kUsers) + "\nCREATE TABLE orders (id BIGINT PRIMARY KEY, user_id SMALLINT);");
    REQUIRE(rules(added) == Rules{"prefer-bigint-over-int"});
    CHECK(added[0].message.find("is smallint but references users.id, a bigint") !=
          std::string::npos);
    // SQLAlchemy renders a BigInteger key as BIGSERIAL: a bigint all the same.
    Findings serial = lint(
        "CREATE TABLE orders (id BIGSERIAL PRIMARY KEY, parent_id INTEGER REFERENCES orders "
        "(id));");
    REQUIRE(rules(serial) == Rules{"prefer-bigint-over-int"});
    CHECK(serial[0].message ==
          "foreign key column orders.parent_id is integer but references orders.id, a bigint: once "
          "orders.id passes 2,147,483,647, rows referencing it cannot be stored");
    CHECK(serial[0].help ==
          "give it the referenced key's type: `sa.Column(\"parent_id\", sa.BigInteger(), "
          "sa.ForeignKey(\"orders.id\"))`");
    // As wide as the key, or a key of unknown type: nothing to say.
    CHECK(lint("CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id BIGINT REFERENCES users (id));",
               kUsers)
              .empty());
    CHECK(
        lint("CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id INT REFERENCES elsewhere (id));")
            .empty());
  }

  TEST_CASE("prefer-text-field: new varchar(n) columns") {
    Findings found = lint("CREATE TABLE a (id BIGINT PRIMARY KEY, email VARCHAR(320));");
    REQUIRE(rules(found) == Rules{"prefer-text-field"});
    CHECK(found[0].severity == Severity::notice);
    CHECK(found[0].message ==
          "a.email is varchar(320): lowering that limit later is an ALTER COLUMN TYPE that scans a "
          "under an ACCESS EXCLUSIVE lock, while a CHECK on a text column can be replaced without "
          "blocking");
    CHECK(found[0].help ==
          "`sa.Column(\"email\", sa.Text())`, with `sa.CheckConstraint(\"char_length(email) <= "
          "320\")` if the limit matters");
    CHECK(lint("CREATE TABLE a (id BIGINT PRIMARY KEY, email VARCHAR, name TEXT);").empty());
  }

  TEST_CASE("prefer-timestamptz and prefer-jsonb: new columns and new types") {
    Findings found = lint(
        "CREATE TABLE e (id BIGINT PRIMARY KEY, at TIMESTAMP WITHOUT TIME ZONE, body JSON);\n"
        "ALTER TABLE e ADD COLUMN seen TIMESTAMP;\n"
        "ALTER TABLE e ALTER COLUMN at TYPE TIMESTAMP(3);");
    CHECK(rules(found) ==
          Rules{"prefer-timestamptz", "prefer-jsonb", "prefer-timestamptz", "prefer-timestamptz"});
    CHECK(found[0].message ==
          "e.at is timestamp without time zone: its values carry no zone, so they mean different "
          "instants to servers, sessions and clients in different time zones");
    CHECK(found[0].help == "`sa.Column(\"at\", sa.DateTime(timezone=True))`");
    CHECK(found[1].help.starts_with("`sa.Column(\"body\", postgresql.JSONB())`"));
    CHECK(lint("CREATE TABLE e (id BIGINT PRIMARY KEY, at TIMESTAMPTZ, body JSONB);").empty());
  }
}

}  // namespace ag::checks::lint
