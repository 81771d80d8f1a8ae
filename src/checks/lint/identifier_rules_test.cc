#include <doctest/doctest.h>

#include "checks/lint/review_test_support.h"

namespace ag::checks::lint {

using test::lint;
using test::rules;
using test::SqlRun;
using test::with_rule;
using Rules = std::vector<std::string>;

namespace {

/// The findings of revision r1, which emits `sql` with SQLAlchemy's refusals `refused` after
/// r0 created account; a lock_timeout is set.
Findings refused(const std::string& sql, std::vector<std::string> names) {
  return SqlRun()
      .env("SET lock_timeout = '5s';")
      .revision("r0")
      .op("CREATE TABLE account (id BIGINT PRIMARY KEY, email TEXT);")
      .revision("r1")
      .op(sql, 7, std::move(names))
      .review();
}

}  // namespace

TEST_SUITE("lint/identifier_rules") {
  TEST_CASE("identifier-too-long: names PostgreSQL would truncate, as written") {
    std::string table(70, 't');
    std::string column = "Col" + std::string(61, 'x');  // 64 bytes, unquoted: folded to lower
    Findings found =
        lint("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, " + column + " TEXT);");
    REQUIRE(rules(found) == Rules{"identifier-too-long", "identifier-too-long"});
    CHECK(found[0].severity == Severity::warning);
    CHECK(found[0].message == "the table name " + table +
                                  " is 70 bytes: PostgreSQL keeps its first 63 (" +
                                  std::string(63, 't') +
                                  ") with only a NOTICE; SQL by the long name still works, but "
                                  "the database reports the short name: autogenerate sees " +
                                  std::string(63, 't') + " where the models say " + table);
    CHECK(found[1].message.starts_with("the column name " + column + " is 64 bytes"));
    std::string quoted = "\"Index " + std::string(60, 'i') + "\"";
    Findings index = lint("CREATE INDEX " + quoted + " ON t (a);", "CREATE TABLE t (a TEXT);");
    REQUIRE(rules(index) == Rules{"require-concurrent-index-creation", "identifier-too-long"});
    // Raw SQL made it; what breaks is SQLAlchemy rendering the long name later.
    CHECK(index[1].severity == Severity::warning);
    CHECK(index[1].message.ends_with(
        "SQL by the long name still works, but SQLAlchemy refuses to render it "
        "(IdentifierError): a later `op.drop_index(\"Index " +
        std::string(60, 'i') + "\", ...)` fails, and autogenerate sees Index " +
        std::string(57, 'i') + " where the models say Index " + std::string(60, 'i')));
  }

  TEST_CASE("identifier-too-long: 63 bytes is fine, and references are not definitions") {
    std::string name(63, 'n');
    CHECK(lint("CREATE TABLE " + name + " (id BIGINT PRIMARY KEY);").empty());
    CHECK(lint("INSERT INTO " + std::string(70, 'x') + " VALUES (1);").empty());
  }

  TEST_CASE("identifier-too-long: the help names it in Alembic code, cut to 63 bytes") {
    std::string column(64, 'c');
    Findings found =
        lint("ALTER TABLE t ADD COLUMN " + column + " TEXT;", "CREATE TABLE t (a TEXT);");
    REQUIRE(rules(found) == Rules{"identifier-too-long"});
    CHECK(found[0].help ==
          "name it in at most 63 bytes where the migration names it, e.g. `sa.Column(\"" +
              std::string(63, 'c') + "\", ...)`");
    found = lint("ALTER TABLE t RENAME COLUMN a TO " + column + ";", "CREATE TABLE t (a TEXT);");
    REQUIRE(rules(found) == Rules{"renaming-column", "identifier-too-long"});
    CHECK(found[1].help.ends_with("`op.alter_column(\"t\", \"a\", new_column_name=\"" +
                                  std::string(63, 'c') + "\")`"));
    found = lint("ALTER TABLE t ADD CONSTRAINT " + column + " CHECK (a <> '') NOT VALID;",
                 "CREATE TABLE t (a TEXT);");
    REQUIRE(rules(found) == Rules{"identifier-too-long"});
    CHECK(found[0].help ==
          "name it in at most 63 bytes where the migration names it, e.g. "
          "`op.create_check_constraint(\"" +
              std::string(63, 'c') +
              "\", \"t\", ...)`; for names the MetaData's naming_convention generates, shorten "
              "the convention");
  }

  TEST_CASE("identifier-too-long: a constraint of a new table is named in op.create_table") {
    std::string name = "ck_" + std::string(61, 'c');
    std::string cut = name.substr(0, 63);
    auto help = [](const std::string& sql) {
      Findings found = with_rule(lint(sql), "identifier-too-long");
      REQUIRE(found.size() == 1);
      return found[0].help;
    };
    CHECK(help("CREATE TABLE t (a TEXT, CONSTRAINT " + name + " CHECK (a <> ''));") ==
          "name it in at most 63 bytes where the migration names it, e.g. "
          "`op.create_table(\"t\", ..., sa.CheckConstraint(..., name=\"" +
              cut +
              "\"))`; for names the MetaData's naming_convention generates, shorten the "
              "convention");
    CHECK(help("CREATE TABLE t (a TEXT CONSTRAINT " + name + " UNIQUE);")
              .find("`op.create_table(\"t\", ..., sa.UniqueConstraint(..., name=\"" + cut +
                    "\"))`") != std::string::npos);
    CHECK(
        help("CREATE TABLE t (a BIGINT, CONSTRAINT " + name + " FOREIGN KEY (a) REFERENCES t (a));")
            .find("`op.create_table(\"t\", ..., sa.ForeignKeyConstraint([...], [...], name=\"" +
                  cut + "\"))`") != std::string::npos);
    CHECK(help("CREATE TABLE t (a BIGINT, CONSTRAINT " + name + " PRIMARY KEY (a));")
              .find("`op.create_table(\"t\", ..., sa.PrimaryKeyConstraint(..., name=\"" + cut +
                    "\"))`") != std::string::npos);
    // On an existing table: the op. call that adds it.
    CHECK(help("ALTER TABLE t ADD CONSTRAINT " + name + " UNIQUE (a);")
              .find("`op.create_unique_constraint(\"" + cut + "\", \"t\", [...])`") !=
          std::string::npos);
  }

  TEST_CASE("identifier-too-long: a name SQLAlchemy refused to render fails the migration") {
    std::string index = "ix_" + std::string(70, 'a');
    Findings found = refused("CREATE INDEX " + index + " ON account (email);", {index});
    REQUIRE(rules(found) == Rules{"require-concurrent-index-creation", "identifier-too-long"});
    CHECK(found[1].severity == Severity::error);
    CHECK(found[1].line == 7);
    CHECK(found[1].message == "the index name " + index +
                                  " is 73 bytes, more than the 63 PostgreSQL keeps: SQLAlchemy "
                                  "refuses to render it (IdentifierError), so the migration fails "
                                  "here");
    CHECK(found[1].help ==
          "name it in at most 63 bytes where the migration names it, e.g. "
          "`op.create_index(\"" +
              index.substr(0, 63) +
              "\", \"account\", ...)`; for names the MetaData's naming_convention "
              "generates, shorten the convention");
    // Dropping by such a name is refused too; the database's own name is the truncated one.
    found = refused("DROP INDEX " + index + ";", {index});
    REQUIRE(rules(with_rule(found, "identifier-too-long")) == Rules{"identifier-too-long"});
    CHECK(
        with_rule(found, "identifier-too-long")[0].message.starts_with("the index name " + index));
    CHECK(with_rule(found, "identifier-too-long")[0].help.find(
              "`op.drop_index(\"" + index.substr(0, 63) + "\", ...)`") != std::string::npos);
  }
}

}  // namespace ag::checks::lint
