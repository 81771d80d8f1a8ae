// The text format for a terminal: colours only when asked, findings grouped by file with their
// source line, control characters defused.
#include <doctest/doctest.h>

#include <sstream>

#include "report/reporters.h"
#include "support/sample_report.h"

namespace ag {
namespace {

std::string text(const Report& report, bool color) {
  std::ostringstream out;
  write_text(report, out, {color});
  return out.str();
}

}  // namespace

TEST_SUITE("report/text") {
  TEST_CASE("colours only when asked for") {
    Report report = test::sample_report();
    CHECK(text(report, false).find('\x1b') == std::string::npos);
    std::string colored = text(report, true);
    CHECK(colored.find("\x1b[1;31merror\x1b[0m") != std::string::npos);
    CHECK(colored.find("\x1b[1;33mwarning\x1b[0m") != std::string::npos);
    CHECK(
        colored.ends_with("\x1b[1;31malembic-gate: failed (5 errors, 1 warning, 2 notices); "
                          "failed: heads, roundtrip; could not judge: drift\x1b[0m\n"));
  }

  TEST_CASE("grouped by file, lines in order, the source line under each, file-less last") {
    std::string out = text(test::sample_report(), false);
    size_t first = out.find("e1600fa30d3a_add_timezone_to_teams.py:13: error");
    size_t second = out.find("e1600fa30d3a_add_timezone_to_teams.py:20:5: error");
    size_t other = out.find("065dfdffec2f_create_teams_table.py:20: error");
    REQUIRE(first != std::string::npos);
    CHECK(second > first);
    CHECK(other > second);
    CHECK(out.find("     13 | revision = 'e1600fa30d3a'\n", first) < second);
    CHECK(out.find("\nerror: the history has 2 heads") > out.find("future-rule"));
  }

  TEST_CASE("control characters from a project cannot drive the terminal") {
    Report report = test::sample_report();
    report.checks[0].findings[0].message = "red \x1b[31mtext\x07 and\r\nnext line";
    std::string out = text(report, false);
    CHECK(out.find('\x1b') == std::string::npos);
    CHECK(out.find('\x07') == std::string::npos);
    CHECK(out.find("red ?[31mtext? and\n    next line [multiple-heads]") != std::string::npos);
  }
}

}  // namespace ag
