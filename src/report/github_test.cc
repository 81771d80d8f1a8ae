// The github format read back the way GitHub's runner reads it (support/runner_reading.h):
// commands, their properties and messages after unescaping, ::stop-commands:: blocks.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

#include "report/reporters.h"
#include "support/runner_reading.h"
#include "support/sample_report.h"

namespace ag {
namespace {

using test::Command;
using test::commands_named;
using test::read_like_the_runner;
using test::RunnerView;

RunnerView github(const Report& report, size_t per_severity = 10) {
  std::ostringstream out;
  write_github(report, out, {"t0k3n", per_severity});
  return read_like_the_runner(out.str());
}

Report one_finding(Finding finding) {
  Report report;
  report.fail_on = FailOn::error;
  report.checks = {{.name = finding.check, .status = CheckStatus::failed, .seconds = 0.01}};
  report.checks[0].findings = {std::move(finding)};
  return report;
}

bool valid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    i += length;
  }
  return true;
}

}  // namespace

TEST_SUITE("report/github") {
  TEST_CASE("escaping table: each message reaches the runner unchanged, as one command") {
    std::string long_message;
    while (long_message.size() < 10000) long_message += "é%\n:,😀";
    const std::string table[] = {
        "100% sure, 50%0A not a line break",
        "line one\nline two\n",
        "windows\r\nline",
        "a: b, c",
        "see ::error:: here and ::warning file=x::y",
        "\n::add-mask::oops\n::error::injected",
        "Jörg’s café — 😀 ✓ 漢字",
        "%0D%0A%25%3A%2C",
    };
    for (const std::string& message : table) {
      CAPTURE(message);
      RunnerView view = github(one_finding({.check = "heads",
                                            .rule = "multiple-heads",
                                            .severity = Severity::error,
                                            .message = message,
                                            .file = "m/v/a.py",
                                            .line = 3,
                                            .end_line = 4}));
      std::vector<Command> errors = commands_named(view, "error");
      REQUIRE(errors.size() == 1);
      CHECK(errors[0].message == message);
      CHECK(view.commands.size() == 1);  // the annotation, nothing else
      CHECK(errors[0].properties ==
            std::map<std::string, std::string>{{"file", "m/v/a.py"},
                                               {"line", "3"},
                                               {"endLine", "4"},
                                               {"title", "alembic-gate heads: multiple-heads"}});
    }
  }

  TEST_CASE("escaping table: properties cannot be broken out of") {
    RunnerView view = github(one_finding({.check = "c,d",
                                          .rule = "x::y,line=99",
                                          .severity = Severity::warning,
                                          .message = "m",
                                          .file = "dir,line=1/a:b%.py",
                                          .line = 7,
                                          .end_line = 7,
                                          .column = 2,
                                          .end_column = 9}));
    std::vector<Command> warnings = commands_named(view, "warning");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].properties ==
          std::map<std::string, std::string>{{"file", "dir,line=1/a:b%.py"},
                                             {"line", "7"},
                                             {"endLine", "7"},
                                             {"col", "2"},
                                             {"endColumn", "9"},
                                             {"title", "alembic-gate c,d: x::y,line=99"}});
  }

  TEST_CASE("a 10,000-character message is cut below GitHub's 4,096, on a character boundary") {
    std::string message;
    while (message.size() < 10000) message += "é😀%\n";
    RunnerView view = github(one_finding({.check = "heads",
                                          .rule = "cycle",
                                          .severity = Severity::error,
                                          .message = message,
                                          .file = "a.py",
                                          .line = 1,
                                          .end_line = 1,
                                          .help = "break the cycle"}));
    std::vector<Command> errors = commands_named(view, "error");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].message.size() <= 4096);
    CHECK(errors[0].message.ends_with("\u2026"));
    CHECK(valid_utf8(errors[0].message));
    std::string kept = errors[0].message.substr(0, errors[0].message.size() - 3);
    CHECK(message.starts_with(kept));
  }

  TEST_CASE("help follows the message, columns only on one-line annotations") {
    RunnerView view = github(one_finding({.check = "roundtrip",
                                          .rule = "upgrade-failed",
                                          .severity = Severity::error,
                                          .message = "boom",
                                          .file = "a.py",
                                          .line = 3,
                                          .end_line = 5,
                                          .help = "fix it",
                                          .column = 2,
                                          .end_column = 9}));
    std::vector<Command> errors = commands_named(view, "error");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].message == "boom\n\nHow to fix: fix it");
    CHECK(errors[0].properties.count("col") == 0);
    CHECK(errors[0].properties.at("endLine") == "5");
  }

  TEST_CASE("a finding without a file is an annotation without location properties") {
    RunnerView view = github(one_finding({.check = "heads",
                                          .rule = "multiple-heads",
                                          .severity = Severity::error,
                                          .message = "the history has 2 heads"}));
    std::vector<Command> errors = commands_named(view, "error");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].properties ==
          std::map<std::string, std::string>{{"title", "alembic-gate heads: multiple-heads"}});
  }

  TEST_CASE(
      "500 findings: 10 errors, 10 warnings, 9 notices and the note, the rest as plain text") {
    Report report = test::many_findings(500);
    RunnerView view = github(report);
    std::vector<Command> errors = commands_named(view, "error");
    std::vector<Command> warnings = commands_named(view, "warning");
    std::vector<Command> notices = commands_named(view, "notice");
    CHECK(errors.size() == 10);
    CHECK(warnings.size() == 10);
    REQUIRE(notices.size() == 10);
    CHECK(notices.back().message.starts_with("471 of 500 findings are not annotations"));
    CHECK(notices.back().message.find("the job summary lists them all") != std::string::npos);
    // Ranked: errors of the first check (heads: even numbers), lowest file names first.
    for (size_t i = 0; i < errors.size(); ++i)
      CHECK(errors[i].properties.at("file") == fmt::format("migrations/versions/r{:04}.py", i * 6));
    // Every other finding is in the log, not run as a command, with its location.
    size_t plain = 0;
    for (const std::string& line : view.shown)
      if (line.starts_with("migrations/versions/r")) ++plain;
    CHECK(plain == 471);
    CHECK(commands_named(view, "group").empty());  // annotations stay outside groups
  }

  TEST_CASE("errors the caller reserves are taken from the findings' share, and counted") {
    GithubOptions options{"t0k3n"};
    options.reserved_errors = 1;
    std::ostringstream out;
    write_github(test::many_findings(30), out, options);  // 10 of each severity
    RunnerView view = read_like_the_runner(out.str());
    CHECK(commands_named(view, "error").size() == 9);
    CHECK(commands_named(view, "warning").size() == 10);
    std::vector<Command> notices = commands_named(view, "notice");
    REQUIRE(notices.size() == 10);
    CHECK(notices.back().message.starts_with("2 of 30 findings are not annotations"));
  }

  TEST_CASE("exactly at the limits nothing is left out and no note is added") {
    Report report = test::many_findings(30);  // 10 of each severity
    RunnerView view = github(report);
    CHECK(commands_named(view, "error").size() == 10);
    CHECK(commands_named(view, "warning").size() == 10);
    std::vector<Command> notices = commands_named(view, "notice");
    REQUIRE(notices.size() == 10);
    CHECK(notices.back().message.starts_with("finding 29"));
  }

  TEST_CASE("a message that is not annotated cannot run a command either") {
    Report report = test::many_findings(40);
    report.checks[0].findings.back().message = "x\n::error::injected\n::add-mask::y";
    report.checks[0].findings.back().severity = Severity::notice;
    RunnerView view = github(report, 1);
    for (const Command& command : view.commands)
      CHECK(command.message.find("injected") == std::string::npos);
    CHECK(std::count(view.shown.begin(), view.shown.end(), "::error::injected") == 1);
  }

  TEST_CASE("per check a line with its status and duration, its annotations, then the verdict") {
    RunnerView view = github(test::sample_report());
    CHECK(commands_named(view, "group").empty());
    CHECK(view.loose ==
          std::vector<std::string>{"heads: failed (4 ms)", "roundtrip: failed (3.2 s)",
                                   "drift: unavailable (0 ms)",
                                   "alembic-gate: failed (5 errors, 1 warning, 2 notices); failed: "
                                   "heads, roundtrip; could not judge: drift"});
  }

  TEST_CASE("a file outside the repository is no location: the message names it") {
    RunnerView view = github(one_finding({.check = "drift",
                                          .rule = "drift-missing-column",
                                          .severity = Severity::error,
                                          .message = "column users.nickname is in the models",
                                          .file = "/usr/lib/python3/dist-packages/shop/models.py",
                                          .line = 15,
                                          .end_line = 15,
                                          .column = 5,
                                          .end_column = 9}));
    std::vector<Command> errors = commands_named(view, "error");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].properties == std::map<std::string, std::string>{
                                      {"title", "alembic-gate drift: drift-missing-column"}});
    CHECK(errors[0].message ==
          "column users.nickname is in the models (at "
          "/usr/lib/python3/dist-packages/shop/models.py:15, outside the repository)");
  }

  TEST_CASE("a line with blanks before '::' is a command to the runner too") {
    RunnerView view = read_like_the_runner(
        "    ::error::indented\n\t::warning::tab\n::stop-commands::tok\n  ::error::no\n"
        "  ::tok::\n");
    CHECK(commands_named(view, "error").size() == 1);
    CHECK(commands_named(view, "warning").size() == 1);
    CHECK(view.shown == std::vector<std::string>{"  ::error::no"});
  }
}

}  // namespace ag
