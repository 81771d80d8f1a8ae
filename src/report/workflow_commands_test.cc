// GitHub workflow-command escaping, as @actions/core's escapeData and escapeProperty do it.
#include <doctest/doctest.h>

#include "report/workflow_commands.h"

namespace ag {

TEST_SUITE("report/workflow commands") {
  TEST_CASE("plain text is unchanged") {
    CHECK(escape_data("multiple heads: abc and def") == "multiple heads: abc and def");
    CHECK(escape_property("migrations/versions/abc_add_users.py") ==
          "migrations/versions/abc_add_users.py");
    CHECK(escape_data("").empty());
    CHECK(escape_property("").empty());
  }

  TEST_CASE("data: %, CR and LF are encoded, ':' and ',' are not") {
    CHECK(escape_data("100%") == "100%25");
    CHECK(escape_data("one\ntwo") == "one%0Atwo");
    CHECK(escape_data("one\r\ntwo") == "one%0D%0Atwo");
    CHECK(escape_data("a: b, c") == "a: b, c");
  }

  TEST_CASE("data: '::' inside a message stays, the message cannot end the command early") {
    CHECK(escape_data("see ::error:: here") == "see ::error:: here");
    CHECK(escape_data("line\n::error::injected") == "line%0A::error::injected");
  }

  TEST_CASE("property: %, CR, LF, ':' and ',' are encoded") {
    CHECK(escape_property("a:b,c%d\re\nf") == "a%3Ab%2Cc%25d%0De%0Af");
    CHECK(escape_property("alembic-gate heads: multiple-heads") ==
          "alembic-gate heads%3A multiple-heads");
    CHECK(escape_property("x::y") == "x%3A%3Ay");
  }

  TEST_CASE("'%' is encoded first, so an encoded-looking text survives a round trip") {
    CHECK(escape_data("%0A") == "%250A");
    CHECK(escape_data("%25") == "%2525");
    CHECK(escape_property("%3A:") == "%253A%3A");
    CHECK(escape_property("%2C,") == "%252C%2C");
  }

  TEST_CASE("multi-byte UTF-8 is left untouched") {
    CHECK(escape_data("Jörg’s café — 😀") == "Jörg’s café — 😀");
    CHECK(escape_property("migrations/versions/äöü.py") == "migrations/versions/äöü.py");
    CHECK(escape_data("\xC3\xA9\n") == "\xC3\xA9%0A");
  }

  TEST_CASE("verbatim text sits between stop-commands and the token, ending in a line break") {
    CHECK(verbatim("::error::not a command", "abc123") ==
          "::stop-commands::abc123\n::error::not a command\n::abc123::\n");
    CHECK(verbatim("two\nlines\n", "t") == "::stop-commands::t\ntwo\nlines\n::t::\n");
  }

  TEST_CASE("a mask is one command, its value escaped as data") {
    CHECK(add_mask("s3cret") == "::add-mask::s3cret\n");
    CHECK(add_mask("50%\nx") == "::add-mask::50%25%0Ax\n");
  }
}

}  // namespace ag
