#include "checks/lint/sql_tree.h"

#include <doctest/doctest.h>

#include "checks/lint/sql_parse.h"

namespace ag::checks::lint {
namespace {

/// The type of the first column of `CREATE TABLE t (c <type>)`.
TypeRef type(const std::string& spelled) {
  Result<std::vector<ParsedStatement>> parsed = parse_sql("CREATE TABLE t (c " + spelled + ")");
  REQUIRE(parsed.ok());
  return type_of((*parsed)[0].tree["CreateStmt"]["tableElts"][0]["ColumnDef"]["typeName"]);
}

/// The default expression of `CREATE TABLE t (c int DEFAULT <expression>)`.
Node expression(const std::string& spelled) {
  Result<std::vector<ParsedStatement>> parsed =
      parse_sql("CREATE TABLE t (c int DEFAULT " + spelled + ")");
  REQUIRE(parsed.ok());
  return (*parsed)[0]
      .tree["CreateStmt"]["tableElts"][0]["ColumnDef"]["constraints"][0]["Constraint"]["raw_expr"];
}

/// What volatile_part finds in `spelled`: "random()" for a volatile function, "f()?" for a
/// function of unknown volatility, "" when the expression is computed once.
std::string volatility(const std::string& spelled) {
  std::optional<VolatileCall> found = volatile_part(expression(spelled));
  if (!found) return "";
  return found->call + (found->known ? "" : "?");
}

}  // namespace

TEST_SUITE("lint/sql_tree") {
  TEST_CASE("types read as PostgreSQL knows them and display as SQL writes them") {
    CHECK(type("INTEGER").display() == "integer");
    CHECK(type("character varying(20)").display() == "varchar(20)");
    CHECK(type("NUMERIC(10, 2)").display() == "numeric(10, 2)");
    CHECK(type("numeric(10, 0)").display() == "numeric(10, 0)");
    CHECK(type("TIMESTAMP WITH TIME ZONE").display() == "timestamptz");
    CHECK(type("timestamp").name == "timestamp");
    CHECK(type("text[]").display() == "text[]");
    CHECK(type("public.mood").display() == "mood");
  }

  TEST_CASE("binary-coercible changes need no rewrite") {
    CHECK(binary_coercible(type("varchar(10)"), type("varchar(20)")));
    CHECK(binary_coercible(type("varchar(10)"), type("varchar")));
    CHECK(binary_coercible(type("varchar(10)"), type("text")));
    CHECK(binary_coercible(type("text"), type("varchar")));
    CHECK(binary_coercible(type("numeric(10, 2)"), type("numeric(12, 2)")));
    CHECK(binary_coercible(type("numeric(10)"), type("numeric(11, 0)")));
    CHECK(binary_coercible(type("numeric(10, 2)"), type("numeric")));
    CHECK(binary_coercible(type("varchar(10)[]"), type("text[]")));
    CHECK(binary_coercible(type("integer"), type("int4")));
  }

  TEST_CASE("other changes rewrite") {
    CHECK_FALSE(binary_coercible(type("varchar(20)"), type("varchar(10)")));
    CHECK_FALSE(binary_coercible(type("varchar"), type("varchar(10)")));
    CHECK_FALSE(binary_coercible(type("text"), type("varchar(10)")));
    CHECK_FALSE(binary_coercible(type("numeric(10, 2)"), type("numeric(12, 3)")));
    CHECK_FALSE(binary_coercible(type("numeric(10, 2)"), type("numeric(8, 2)")));
    CHECK_FALSE(binary_coercible(type("numeric"), type("numeric(10, 2)")));
    CHECK_FALSE(binary_coercible(type("integer"), type("bigint")));
    CHECK_FALSE(binary_coercible(type("timestamp"), type("timestamptz")));
    CHECK_FALSE(binary_coercible(type("varchar(10)"), type("text[]")));
  }

  TEST_CASE("volatile defaults: PostgreSQL's volatile built-ins, from pg_proc") {
    CHECK(volatility("random()") == "random()");
    CHECK(volatility("1 + floor(random() * 10)::int") == "random()");
    CHECK(volatility("nextval('s')") == "nextval()");
    CHECK(volatility("gen_random_uuid()") == "gen_random_uuid()");
    CHECK(volatility("pg_catalog.clock_timestamp()") == "pg_catalog.clock_timestamp()");
    CHECK(volatility("lower(md5(clock_timestamp()::text))") == "clock_timestamp()");
    // A volatile built-in is named before a function of unknown volatility around it.
    CHECK(volatility("my_token(random())") == "random()");
  }

  TEST_CASE("volatile defaults: uuid-ossp's and pgcrypto's, and newer releases' built-ins") {
    CHECK(volatility("uuid_generate_v4()") == "uuid_generate_v4()");
    CHECK(volatility("extensions.uuid_generate_v1()") == "extensions.uuid_generate_v1()");
    CHECK(volatility("public.gen_random_uuid()") == "public.gen_random_uuid()");
    CHECK(volatility("encode(gen_random_bytes(16), 'hex')") == "gen_random_bytes()");
    CHECK(volatility("random_normal()") == "random_normal()");
    CHECK(volatility("uuidv7()") == "uuidv7()");
    // uuid-ossp's IMMUTABLE functions are not in the list: unknown.
    CHECK(volatility("uuid_generate_v5(uuid_ns_url(), 'x')") == "uuid_generate_v5()?");
  }

  TEST_CASE("volatile defaults: a function alembic-gate does not know has unknown volatility") {
    CHECK(volatility("my_function()") == "my_function()?");
    CHECK(volatility("lower(my_function())") == "my_function()?");
    // The name as written, qualifier included.
    CHECK(volatility("public.my_function()") == "public.my_function()?");
    CHECK(volatility("app.new_token()") == "app.new_token()?");
    // Qualified with another schema than pg_catalog: a user's function, whatever its name.
    CHECK(volatility("app.now()") == "app.now()?");
    // Quoted upper case is another name: every built-in is lower case.
    CHECK(volatility("\"NOW\"()") == "\"NOW\"()?");
    CHECK(volatility("\"My App\".\"Token\"\"s\"()") == "\"My App\".\"Token\"\"s\"()?");
  }

  TEST_CASE("stable and immutable defaults") {
    for (const char* spelled : {"0",
                                "'x'",
                                "'x'::text",
                                "now()",
                                "CURRENT_TIMESTAMP",
                                "now() + interval '1 day'",
                                "lower('ABC')",
                                "-1",
                                "NULL",
                                "ARRAY[1, 2]",
                                "'{}'::jsonb",
                                "true",
                                "extract(epoch from now())",
                                "date(now())",
                                "to_tsvector('english', '')",
                                "date_trunc('day', now())",
                                "timezone('utc', now())",
                                "trim(' x ')",
                                "pg_catalog.now()",
                                "jsonb_build_object('a', 1)",
                                "current_setting('app.tenant')"}) {
      CAPTURE(std::string(spelled));
      CHECK(volatility(spelled).empty());
    }
  }

  TEST_CASE("expressions as written: a type change's USING clauses") {
    // Two statements in one text: the tree's locations are offsets into each statement's own.
    Result<std::vector<ParsedStatement>> parsed = parse_sql(
        "SELECT 1;\n"
        "ALTER TABLE t ALTER COLUMN a TYPE integer USING (a + b)::int, "
        "ALTER COLUMN c TYPE text USING replace(c, ',', ';'), "
        "ALTER COLUMN d TYPE numeric(10, 2) USING ((d)) / 100, "
        "ALTER COLUMN e TYPE bigint USING e");
    REQUIRE(parsed.ok());
    const ParsedStatement& alter = (*parsed)[1];
    std::vector<std::string> written;
    for (const Node& command : alter.tree["AlterTableStmt"]["cmds"])
      written.push_back(written_expression(
          command["AlterTableCmd"]["def"]["ColumnDef"]["raw_default"], alter.text));
    CHECK(written ==
          std::vector<std::string>{"(a + b)::int", "replace(c, ',', ';')", "((d)) / 100", "e"});
    CHECK(written_expression(Node::object(), alter.text).empty());
  }

  TEST_CASE("names: qualified, public, and NOT NULL checks") {
    Result<std::vector<ParsedStatement>> parsed = parse_sql(
        "DROP TABLE audit.event, public.account, note;"
        "ALTER TABLE t ADD CONSTRAINT c CHECK (name IS NOT NULL), ADD CONSTRAINT d CHECK (a > 0)");
    REQUIRE(parsed.ok());
    const Node& objects = (*parsed)[0].tree["DropStmt"]["objects"];
    CHECK(listed_name(objects[0]).key() == "audit.event");
    CHECK(listed_name(objects[1]).key() == "account");
    CHECK(listed_name(objects[1]).display() == "public.account");
    CHECK(listed_name(objects[2]).key() == "note");
    const Node& commands = (*parsed)[1].tree["AlterTableStmt"]["cmds"];
    CHECK(not_null_test_column(commands[0]["AlterTableCmd"]["def"]["Constraint"]["raw_expr"]) ==
          "name");
    CHECK(not_null_test_column(commands[1]["AlterTableCmd"]["def"]["Constraint"]["raw_expr"])
              .empty());
  }
}

}  // namespace ag::checks::lint
