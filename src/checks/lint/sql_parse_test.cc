#include "checks/lint/sql_parse.h"

#include <doctest/doctest.h>

namespace ag::checks::lint {

TEST_SUITE("lint/sql_parse") {
  TEST_CASE("each statement comes with its own text and its parse tree") {
    Result<std::vector<ParsedStatement>> parsed =
        parse_sql("SET lock_timeout = '5s';\n\nCREATE INDEX ix ON t (a);\n\n");
    REQUIRE(parsed.ok());
    REQUIRE(parsed->size() == 2);
    CHECK((*parsed)[0].text == "SET lock_timeout = '5s'");
    CHECK((*parsed)[0].tree.contains("VariableSetStmt"));
    CHECK((*parsed)[1].text == "CREATE INDEX ix ON t (a)");
    CHECK((*parsed)[1].tree["IndexStmt"]["idxname"] == "ix");
  }

  TEST_CASE("comments and blanks alone are no statement") {
    Result<std::vector<ParsedStatement>> parsed = parse_sql("-- Running upgrade  -> abc\n\n");
    REQUIRE(parsed.ok());
    CHECK(parsed->empty());
  }

  TEST_CASE("a statement the parser cannot read is an error with its message and line") {
    Result<std::vector<ParsedStatement>> parsed = parse_sql("SELECT 1;\nCREATE FANCY THING x;");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message == "syntax error at or near \"FANCY\"");
    CHECK(parsed.error().line == 2);
  }

  TEST_CASE("an unterminated string is an error, not a crash") {
    Result<std::vector<ParsedStatement>> parsed = parse_sql("SELECT 'abc");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message.find("unterminated") != std::string::npos);
  }
}

}  // namespace ag::checks::lint
