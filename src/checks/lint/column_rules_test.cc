#include <doctest/doctest.h>
#include <fmt/format.h>

#include "checks/lint/review_test_support.h"

namespace ag::checks::lint {

using test::lint;
using test::rules;
using Rules = std::vector<std::string>;

namespace {
constexpr const char* kAccount =
    "CREATE TABLE account (id BIGINT PRIMARY KEY, email VARCHAR(50), name TEXT, "
    "balance NUMERIC(10, 2), code VARCHAR, born TIMESTAMP WITH TIME ZONE);";
}

TEST_SUITE("lint/column_rules") {
  TEST_CASE("ADD COLUMN with a volatile default rewrites the table") {
    Findings found = lint(
        "ALTER TABLE account ADD COLUMN token UUID DEFAULT gen_random_uuid() NOT NULL;", kAccount);
    REQUIRE(rules(found) == Rules{"adding-field-with-default"});
    CHECK(found[0].message ==
          "ADD COLUMN token with the volatile default gen_random_uuid() rewrites all of existing "
          "table account under an ACCESS EXCLUSIVE lock, blocking all reads and writes of it "
          "until the rewrite ends");
    CHECK(found[0].help.find("op.alter_column(\"account\", \"token\", "
                             "server_default=sa.text(\"...\"))") != std::string::npos);
  }

  TEST_CASE("serial, identity and stored generated columns rewrite the table too") {
    CHECK(rules(lint("ALTER TABLE account ADD COLUMN n SERIAL;", kAccount)) ==
          Rules{"adding-field-with-default"});
    CHECK(rules(lint("ALTER TABLE account ADD COLUMN n BIGINT GENERATED ALWAYS AS IDENTITY;",
                     kAccount)) == Rules{"adding-field-with-default"});
    CHECK(rules(lint("ALTER TABLE account ADD COLUMN n BIGINT GENERATED ALWAYS AS (id * 2) STORED;",
                     kAccount)) == Rules{"adding-field-with-default"});
  }

  TEST_CASE("constant and stable defaults are free since PostgreSQL 11") {
    CHECK(lint("ALTER TABLE account ADD COLUMN active BOOLEAN DEFAULT true NOT NULL;\n"
               "ALTER TABLE account ADD COLUMN seen TIMESTAMPTZ DEFAULT now() NOT NULL;\n"
               "ALTER TABLE account ADD COLUMN since TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP;\n"
               "ALTER TABLE account ADD COLUMN kind TEXT DEFAULT 'user'::text NOT NULL;\n"
               "ALTER TABLE account ADD COLUMN score INT DEFAULT -1;",
               kAccount)
              .empty());
    // Stable and immutable built-ins beyond the usual few: the whole of pg_proc is known.
    CHECK(lint("ALTER TABLE account ADD COLUMN epoch BIGINT DEFAULT extract(epoch from now());\n"
               "ALTER TABLE account ADD COLUMN day DATE DEFAULT date(now());\n"
               "ALTER TABLE account ADD COLUMN search TSVECTOR DEFAULT to_tsvector('english', '');",
               kAccount)
              .empty());
  }

  TEST_CASE("uuid-ossp's and pgcrypto's volatile functions rewrite the table: an error") {
    for (const char* spelled :
         {"uuid_generate_v4()", "extensions.uuid_generate_v1()", "public.gen_random_uuid()",
          "encode(gen_random_bytes(16), 'hex')"}) {
      CAPTURE(std::string(spelled));
      Findings found = lint(
          fmt::format("ALTER TABLE account ADD COLUMN token TEXT DEFAULT {};", spelled), kAccount);
      REQUIRE(rules(found) == Rules{"adding-field-with-default"});
      CHECK(found[0].severity == Severity::error);
      CHECK(found[0].message.starts_with("ADD COLUMN token with the volatile default "));
    }
  }

  TEST_CASE(
      "a default calling a function alembic-gate does not know: a warning, volatility unknown") {
    Findings found =
        lint("ALTER TABLE account ADD COLUMN token TEXT DEFAULT app.new_token();", kAccount);
    REQUIRE(rules(found) == Rules{"adding-field-with-default"});
    CHECK(found[0].severity == Severity::warning);
    CHECK(found[0].message ==
          "ADD COLUMN token with the default app.new_token() rewrites all of existing table "
          "account under an ACCESS EXCLUSIVE lock if app.new_token() is volatile, blocking all "
          "reads and writes of it until the rewrite ends; its volatility is unknown to the linter "
          "(not in alembic-gate's table of PostgreSQL built-ins; user-defined functions are "
          "VOLATILE unless declared STABLE or IMMUTABLE)");
    CHECK(found[0].help.starts_with(
        "if app.new_token() is declared STABLE or IMMUTABLE, say so: `# alembic-gate: "
        "ignore[adding-field-with-default] app.new_token() is IMMUTABLE`; otherwise add the "
        "column without it"));
    // A volatile built-in in the same default decides: an error.
    found = lint("ALTER TABLE account ADD COLUMN token TEXT DEFAULT app.f(random());", kAccount);
    REQUIRE(rules(found) == Rules{"adding-field-with-default"});
    CHECK(found[0].severity == Severity::error);
    CHECK(found[0].message.starts_with("ADD COLUMN token with the volatile default random()"));
  }

  TEST_CASE("ADD COLUMN NOT NULL without a default fails on a table with rows") {
    Findings found = lint("ALTER TABLE account ADD COLUMN plan TEXT NOT NULL;", kAccount);
    REQUIRE(rules(found) == Rules{"adding-required-field"});
    CHECK(found[0].message ==
          "ADD COLUMN plan NOT NULL without a default fails as soon as existing table account has "
          "a row (\"column \\\"plan\\\" of relation \\\"account\\\" contains null values\")");
    CHECK(lint("ALTER TABLE account ADD COLUMN plan TEXT;", kAccount).empty());
    CHECK(lint("CREATE TABLE t (a TEXT);\nALTER TABLE t ADD COLUMN plan TEXT NOT NULL;").empty());
  }

  TEST_CASE("SET NOT NULL scans the table, unless a validated CHECK proves it") {
    Findings found = lint("ALTER TABLE account ALTER COLUMN name SET NOT NULL;", kAccount);
    REQUIRE(rules(found) == Rules{"adding-not-nullable-field"});
    CHECK(found[0].message ==
          "SET NOT NULL on account.name scans every row of existing table account while holding "
          "an ACCESS EXCLUSIVE lock, blocking all reads and writes of it until the scan ends");
    CHECK(found[0].help.find("op.create_check_constraint(\"ck_account_name_not_null\", "
                             "\"account\", \"name IS NOT NULL\", postgresql_not_valid=True)") !=
          std::string::npos);
    std::string proven =
        std::string(kAccount) +
        "\nALTER TABLE account ADD CONSTRAINT ck_name CHECK (name IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE account VALIDATE CONSTRAINT ck_name;";
    CHECK(lint("ALTER TABLE account ALTER COLUMN name SET NOT NULL;", proven).empty());
    std::string unvalidated =
        std::string(kAccount) +
        "\nALTER TABLE account ADD CONSTRAINT ck_name CHECK (name IS NOT NULL) NOT VALID;";
    CHECK(rules(lint("ALTER TABLE account ALTER COLUMN name SET NOT NULL;", unvalidated)) ==
          Rules{"adding-not-nullable-field"});
  }

  TEST_CASE("a type change rewrites the table, and the message names the old type") {
    Findings found = lint("ALTER TABLE account ALTER COLUMN email TYPE VARCHAR(20);", kAccount);
    REQUIRE(rules(found) == Rules{"changing-column-type"});
    CHECK(found[0].message ==
          "changing account.email from varchar(50) to varchar(20) rewrites existing table account "
          "and rebuilds its indexes under an ACCESS EXCLUSIVE lock, blocking all reads and writes "
          "of it until done");
    CHECK(found[0].help ==
          "expand and contract instead: `op.add_column(\"account\", sa.Column(\"email_new\", "
          "sa.String(length=20)))` and have the application write both; backfill it in batches "
          "(`UPDATE account SET email_new = email WHERE ...`; between types without an assignment "
          "cast: `CAST(email AS varchar(20))` or your own conversion); move reads to email_new; "
          "then in a later release `op.drop_column(\"account\", \"email\")`; renaming email_new "
          "back to email is itself a breaking rename, for a still later release once email is "
          "dropped; only widening a varchar, varchar to text and raising a numeric's precision "
          "avoid the rewrite");
    CHECK(rules(lint("ALTER TABLE account ALTER COLUMN id TYPE INTEGER;", kAccount)) ==
          Rules{"changing-column-type"});
    CHECK(rules(lint("ALTER TABLE account ALTER COLUMN balance TYPE NUMERIC(12, 4);", kAccount)) ==
          Rules{"changing-column-type"});
    CHECK(rules(lint("ALTER TABLE account ALTER COLUMN name TYPE VARCHAR(10);", kAccount)) ==
          Rules{"changing-column-type"});
  }

  TEST_CASE("a type change with USING rewrites even between coercible types") {
    CHECK(rules(lint("ALTER TABLE account ALTER COLUMN email TYPE TEXT USING lower(email);",
                     kAccount)) == Rules{"changing-column-type"});
  }

  TEST_CASE("a type change with USING: the recipe backfills with the USING expression") {
    Findings found = lint(
        "ALTER TABLE account ALTER COLUMN code TYPE INTEGER USING NULLIF(trim(code), '')::integer, "
        "ALTER COLUMN balance TYPE BIGINT USING (balance * 100)::bigint;",
        kAccount);
    REQUIRE(rules(found) == Rules{"changing-column-type", "changing-column-type"});
    CHECK(found[0].help.find("backfill it in batches (`UPDATE account SET code_new = "
                             "NULLIF(trim(code), '')::integer WHERE ...`, the migration's USING "
                             "expression); move reads to code_new") != std::string::npos);
    CHECK(found[1].help.find("(`UPDATE account SET balance_new = (balance * 100)::bigint WHERE "
                             "...`, the migration's USING expression)") != std::string::npos);
    CHECK(found[1].help.find("renaming balance_new back to balance is itself a breaking rename, "
                             "for a still later release once balance is dropped") !=
          std::string::npos);
  }

  TEST_CASE("an unknown old type is reported, saying so") {
    Findings found = lint("ALTER TABLE legacy ALTER COLUMN note TYPE TEXT;");
    REQUIRE(rules(found) == Rules{"changing-column-type"});
    CHECK(found[0].message.starts_with("changing legacy.note to text rewrites"));
    CHECK(found[0].help.ends_with("(the old type was not in the SQL of the revisions read)"));
  }

  TEST_CASE("binary-coercible type changes are safe") {
    for (const char* change : {"ALTER TABLE account ALTER COLUMN email TYPE VARCHAR(100);",
                               "ALTER TABLE account ALTER COLUMN email TYPE VARCHAR;",
                               "ALTER TABLE account ALTER COLUMN email TYPE TEXT;",
                               "ALTER TABLE account ALTER COLUMN code TYPE TEXT;",
                               "ALTER TABLE account ALTER COLUMN name TYPE VARCHAR;",
                               "ALTER TABLE account ALTER COLUMN balance TYPE NUMERIC(14, 2);",
                               "ALTER TABLE account ALTER COLUMN balance TYPE NUMERIC;"}) {
      CAPTURE(change);
      CHECK(lint(change, kAccount).empty());
    }
  }

  TEST_CASE("the history follows renames and earlier type changes") {
    std::string history = std::string(kAccount) +
                          "\nALTER TABLE account RENAME COLUMN email TO mail;\n"
                          "ALTER TABLE account RENAME TO member;\n"
                          "ALTER TABLE member ALTER COLUMN mail TYPE VARCHAR(80);";
    CHECK(lint("ALTER TABLE member ALTER COLUMN mail TYPE VARCHAR(90);", history).empty());
    CHECK(rules(lint("ALTER TABLE member ALTER COLUMN mail TYPE VARCHAR(60);", history)) ==
          Rules{"changing-column-type"});
  }

  TEST_CASE("DROP COLUMN and RENAME COLUMN break running code") {
    Findings dropped = lint("ALTER TABLE account DROP COLUMN name;", kAccount);
    REQUIRE(rules(dropped) == Rules{"ban-drop-column"});
    CHECK(dropped[0].severity == Severity::warning);
    CHECK(dropped[0].message ==
          "DROP COLUMN account.name breaks every running instance of the application that still "
          "reads or writes it, until the new code is everywhere");
    CHECK(dropped[0].help ==
          "stop using it first: remove name from the models and deploy that; then drop it in a "
          "later release and say so: `op.drop_column(\"account\", \"name\")  # alembic-gate: "
          "ignore[ban-drop-column] unused since <release>`");
    Findings renamed = lint("ALTER TABLE account RENAME COLUMN name TO full_name;", kAccount);
    REQUIRE(rules(renamed) == Rules{"renaming-column"});
    CHECK(renamed[0].message ==
          "RENAME COLUMN account.name to full_name breaks every running instance of the "
          "application that still uses the old name, until the new code is everywhere");
    CHECK(renamed[0].help ==
          "expand and contract instead: `op.add_column(\"account\", sa.Column(\"full_name\", "
          "sa.Text()))` and have the application write both; backfill it in batches (`UPDATE "
          "account SET full_name = name WHERE ...`); move reads to full_name; then in a later "
          "release `op.drop_column(\"account\", \"name\")`");
  }

  TEST_CASE("the expand-and-contract help spells the column's type in SQLAlchemy, schema too") {
    std::string history =
        "CREATE TABLE audit.entry (id BIGINT PRIMARY KEY, at TIMESTAMP WITH TIME ZONE, "
        "amount NUMERIC(10, 2), tags VARCHAR(20)[], shape POINT);";
    auto help = [&](const std::string& sql) {
      Findings found = lint(sql, history);
      REQUIRE(found.size() == 1);
      return found[0].help;
    };
    CHECK(help("ALTER TABLE audit.entry RENAME COLUMN at TO happened_at;")
              .starts_with("expand and contract instead: `op.add_column(\"entry\", "
                           "sa.Column(\"happened_at\", sa.DateTime(timezone=True)), "
                           "schema=\"audit\")`"));
    CHECK(help("ALTER TABLE audit.entry RENAME COLUMN amount TO total;")
              .find("sa.Column(\"total\", sa.Numeric(10, 2))") != std::string::npos);
    CHECK(help("ALTER TABLE audit.entry RENAME COLUMN tags TO labels;")
              .find("sa.Column(\"labels\", postgresql.ARRAY(sa.String(length=20)))") !=
          std::string::npos);
    CHECK(help("ALTER TABLE audit.entry RENAME COLUMN shape TO outline;")
              .find("sa.Column(\"outline\", ...)") != std::string::npos);
    CHECK(help("ALTER TABLE audit.entry ALTER COLUMN amount TYPE BIGINT;")
              .find("(`UPDATE audit.entry SET amount_new = amount WHERE ...`; between types "
                    "without an assignment cast: `CAST(amount AS bigint)` or your own "
                    "conversion); move reads to amount_new; then in a later release "
                    "`op.drop_column(\"entry\", \"amount\", schema=\"audit\")`") !=
          std::string::npos);
  }

  TEST_CASE("column changes on a table created in the same revision are safe") {
    CHECK(lint("CREATE TABLE t (a TEXT, b TEXT);\n"
               "ALTER TABLE t ALTER COLUMN a TYPE INT USING a::int;\n"
               "ALTER TABLE t ALTER COLUMN b SET NOT NULL;\n"
               "ALTER TABLE t DROP COLUMN b;\n"
               "ALTER TABLE t RENAME COLUMN a TO c;\n"
               "ALTER TABLE t ADD COLUMN d UUID DEFAULT gen_random_uuid();")
              .empty());
  }
}

}  // namespace ag::checks::lint
