#include <doctest/doctest.h>

#include "checks/lint/review_test_support.h"

namespace ag::checks::lint {

using test::lint;
using test::rules;
using Rules = std::vector<std::string>;

namespace {
constexpr const char* kTables =
    "CREATE TABLE author (id BIGINT PRIMARY KEY, email TEXT);\n"
    "CREATE TABLE book (id BIGINT PRIMARY KEY, author_id BIGINT, pages INT);";
}

TEST_SUITE("lint/constraint_rules") {
  TEST_CASE("a CHECK constraint validated at once scans the table under ACCESS EXCLUSIVE") {
    Findings found = lint("ALTER TABLE book ADD CONSTRAINT ck_pages CHECK (pages > 0);", kTables);
    REQUIRE(rules(found) == Rules{"constraint-missing-not-valid"});
    CHECK(found[0].message ==
          "ADD CONSTRAINT ck_pages CHECK on existing table book checks every row while holding an "
          "ACCESS EXCLUSIVE lock, blocking all reads and writes of it until the scan ends");
    CHECK(found[0].help ==
          "add it without the scan: `op.create_check_constraint(\"ck_pages\", \"book\", \"...\", "
          "postgresql_not_valid=True)`; then, in a later transaction (the next revision, or after "
          "`with op.get_context().autocommit_block():`), `op.execute(\"ALTER TABLE book VALIDATE "
          "CONSTRAINT ck_pages\")`, which takes a SHARE UPDATE EXCLUSIVE lock only");
  }

  TEST_CASE("NOT VALID, then VALIDATE in another transaction, is safe") {
    CHECK(lint("ALTER TABLE book ADD CONSTRAINT ck_pages CHECK (pages > 0) NOT VALID;\nCOMMIT;\n"
               "BEGIN;\nALTER TABLE book VALIDATE CONSTRAINT ck_pages;",
               kTables)
              .empty());
  }

  TEST_CASE("a foreign key NOT VALID is safe") {
    CHECK(lint("ALTER TABLE book ADD CONSTRAINT fk_author FOREIGN KEY (author_id) REFERENCES "
               "author (id) NOT VALID;",
               kTables)
              .empty());
  }

  TEST_CASE("VALIDATE in the transaction that added it NOT VALID keeps the lock") {
    Findings found = lint(
        "ALTER TABLE book ADD CONSTRAINT ck_pages CHECK (pages > 0) NOT VALID;\n"
        "ALTER TABLE book ADD CONSTRAINT fk_author FOREIGN KEY (author_id) REFERENCES author (id) "
        "NOT VALID;\n"
        "ALTER TABLE book VALIDATE CONSTRAINT ck_pages;\n"
        "ALTER TABLE book VALIDATE CONSTRAINT fk_author;",
        kTables);
    REQUIRE(rules(found) == Rules{"constraint-missing-not-valid", "adding-foreign-key-constraint"});
    CHECK(found[0].message ==
          "VALIDATE CONSTRAINT ck_pages runs in the transaction that added it NOT VALID, so the "
          "ACCESS EXCLUSIVE lock of the ADD stays held while every row of book is checked");
    CHECK(found[1].message.find("SHARE ROW EXCLUSIVE lock of the ADD") != std::string::npos);
  }

  TEST_CASE("a foreign key validated at once blocks writes to both tables") {
    Findings found = lint(
        "ALTER TABLE book ADD CONSTRAINT fk_author FOREIGN KEY(author_id) REFERENCES author (id);",
        kTables);
    REQUIRE(rules(found) == Rules{"adding-foreign-key-constraint"});
    CHECK(found[0].message ==
          "ADD CONSTRAINT fk_author FOREIGN KEY on existing table book checks every row against "
          "author while holding SHARE ROW EXCLUSIVE locks on both, blocking writes to book and "
          "author until the check ends");
    CHECK(found[0].help.starts_with(
        "add it without the check: `op.create_foreign_key(\"fk_author\", \"book\", \"author\", "
        "[\"author_id\"], [\"id\"], postgresql_not_valid=True)`; then"));
  }

  TEST_CASE("a column added with REFERENCES is a foreign key too") {
    Findings found =
        lint("ALTER TABLE book ADD COLUMN editor_id BIGINT REFERENCES author (id);", kTables);
    REQUIRE(rules(found) == Rules{"adding-foreign-key-constraint"});
    CHECK(
        found[0].message.starts_with("ADD COLUMN editor_id REFERENCES author on existing table "
                                     "book"));
  }

  TEST_CASE("constraints on a table created in the same revision are safe") {
    CHECK(lint("CREATE TABLE review (id BIGINT PRIMARY KEY, book_id BIGINT, stars INT);\n"
               "ALTER TABLE review ADD CONSTRAINT fk_book FOREIGN KEY (book_id) REFERENCES book "
               "(id);\n"
               "ALTER TABLE review ADD CONSTRAINT ck_stars CHECK (stars > 0);\n"
               "ALTER TABLE review ADD CONSTRAINT uq_review UNIQUE (book_id);",
               kTables)
              .empty());
  }

  TEST_CASE("UNIQUE or PRIMARY KEY without USING INDEX builds the index under the lock") {
    Findings found =
        lint("ALTER TABLE author ADD CONSTRAINT uq_author_email UNIQUE (email);", kTables);
    REQUIRE(rules(found) == Rules{"disallowed-unique-constraint"});
    CHECK(found[0].message ==
          "ADD CONSTRAINT uq_author_email UNIQUE on existing table author builds its index while "
          "holding an ACCESS EXCLUSIVE lock, blocking all reads and writes of it until the build "
          "ends");
    CHECK(found[0].help ==
          "build the index without blocking first: `with op.get_context().autocommit_block(): "
          "op.create_index(\"uq_author_email\", \"author\", [\"email\"], unique=True, "
          "postgresql_concurrently=True)`, then attach it with a brief lock: "
          "`op.execute(\"ALTER TABLE author ADD CONSTRAINT uq_author_email UNIQUE USING INDEX "
          "uq_author_email\")`");
    CHECK(rules(lint("ALTER TABLE author ADD PRIMARY KEY (email);", kTables)) ==
          Rules{"disallowed-unique-constraint"});
    CHECK(rules(lint("ALTER TABLE author ADD COLUMN code TEXT UNIQUE;", kTables)) ==
          Rules{"disallowed-unique-constraint"});
  }

  TEST_CASE("UNIQUE USING INDEX is safe") {
    CHECK(lint("ALTER TABLE author ADD CONSTRAINT uq UNIQUE USING INDEX uq;", kTables).empty());
  }
}

}  // namespace ag::checks::lint
