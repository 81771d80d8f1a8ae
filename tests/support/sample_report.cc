#include "support/sample_report.h"

#include <fmt/format.h>

namespace ag::test {
namespace {

constexpr std::string_view kVersions = "tests/fixtures/heads/two_heads/migrations/versions/";

std::string versions(std::string_view file) {
  return std::string(kVersions) + std::string(file);
}

}  // namespace

Report sample_report() {
  Report report;
  report.repository_root = AG_SOURCE_DIR;
  report.project = "tests/fixtures/heads/two_heads";
  report.fail_on = FailOn::error;

  CheckOutcome heads{.name = "heads", .status = CheckStatus::failed, .seconds = 0.0042};
  heads.findings = {
      {.check = "heads",
       .rule = "multiple-heads",
       .severity = Severity::error,
       .message =
           "revision 310dc4d717d9 (\"add avatar url to users\") is one of 2 heads (310dc4d717d9, "
           "e1600fa30d3a); `alembic upgrade head` will fail",
       .file = versions("310dc4d717d9_add_avatar_url_to_users.py"),
       .line = 13,
       .end_line = 13,
       .revision = "310dc4d717d9"},
      {.check = "heads",
       .rule = "multiple-heads",
       .severity = Severity::error,
       .message =
           "revision e1600fa30d3a (\"add timezone to teams\") is one of 2 heads (310dc4d717d9, "
           "e1600fa30d3a); `alembic upgrade head` will fail",
       .file = versions("e1600fa30d3a_add_timezone_to_teams.py"),
       .line = 13,
       .end_line = 13,
       .revision = "e1600fa30d3a"},
      {.check = "heads",
       .rule = "multiple-heads",
       .severity = Severity::error,
       .message = "the history has 2 heads: 310dc4d717d9, e1600fa30d3a",
       .help = "merge them: alembic merge -m \"merge heads\" 310dc4d717d9 e1600fa30d3a"},
  };

  CheckOutcome roundtrip{.name = "roundtrip", .status = CheckStatus::failed, .seconds = 3.25};
  roundtrip.findings = {
      {.check = "roundtrip",
       .rule = "slow-migration",
       .severity = Severity::warning,
       .message =
           "upgrade of 3bb8310fe7ad (\"create users table\") took 6.2 s on an empty database "
           "(slow-migration-ms is 5000)",
       .file = versions("3bb8310fe7ad_create_users_table.py"),
       .line = 19,
       .end_line = 19,
       .revision = "3bb8310fe7ad",
       .help = "on a production-sized table it will take longer; consider batching it"},
      {.check = "roundtrip",
       .rule = "downgrade-leaves-trace",
       .severity = Severity::error,
       .message =
           "downgrade of 065dfdffec2f (\"create teams table\") leaves a trace:\n"
           "- index ix_teams_name on teams exists after the downgrade but did not before the "
           "upgrade\r\n- 100% of <b>rows</b> | kept, see ::error:: and a:b,c",
       .file = versions("065dfdffec2f_create_teams_table.py"),
       .line = 20,
       .end_line = 22,
       .revision = "065dfdffec2f",
       .help = "drop in downgrade() what upgrade() creates"},
      {.check = "roundtrip",
       .rule = "upgrade-failed",
       .severity = Severity::error,
       .message = "upgrade to e1600fa30d3a failed: (psycopg2.errors.UndefinedTable) relation "
                  "\"teams\" does "
                  "not exist [SQL: ALTER TABLE teams ADD COLUMN tz text] (SQLSTATE 42P01)",
       .file = versions("e1600fa30d3a_add_timezone_to_teams.py"),
       .line = 20,
       .end_line = 20,
       .revision = "e1600fa30d3a",
       .help = "reproduce with `alembic upgrade e1600fa30d3a`",
       .column = 5,
       .end_column = 12},
      {.check = "roundtrip",
       .rule = "future-rule",
       .severity = Severity::notice,
       .message = "a rule no catalog knows: *stars* _under_ [link](x) ~strike~ `a|b` Jörg’s café 😀",
       .file = "tests/fixtures/heads/two_heads/migrations/name with space ä.py",
       .line = 3},
  };
  roundtrip.timings = {{"3bb8310fe7ad", 6.2, 0.012},
                       {"065dfdffec2f", 0.031, 0.018},
                       {"e1600fa30d3a", -1, -1},
                       {"310dc4d717d9", 0.008, 0.004}};

  CheckOutcome drift{.name = "drift", .status = CheckStatus::unavailable};
  drift.findings = {
      {.check = "drift",
       .rule = "drift-no-metadata",
       .severity = Severity::notice,
       .message = "env.py gives autogenerate no target_metadata, so drift cannot be checked: "
                  "the models were not compared with the migrations",
       .file = "tests/fixtures/heads/two_heads/migrations/env.py",
       .help = "set target_metadata in env.py to the models' MetaData (e.g. Base.metadata), "
               "or remove drift from `checks`"}};

  report.checks = {heads, roundtrip, drift};
  report.graph = {4,
                  {"310dc4d717d9", "e1600fa30d3a"},
                  {"3bb8310fe7ad"},
                  {},
                  {"065dfdffec2f"},
                  {{"065dfdffec2f", "create teams table", {"3bb8310fe7ad"}},
                   {"310dc4d717d9", "add avatar url to users", {"065dfdffec2f"}},
                   {"3bb8310fe7ad", "create users table", {}},
                   {"e1600fa30d3a", "add \"timezone\" <to> teams", {"065dfdffec2f"}}}};
  return report;
}

Report hostile_report() {
  const std::string hostile[] = {
      "```<img src=x onerror=alert('PWNED')> **PWNED** [PWNED](https://example.com/x)```",
      "<script>alert('PWNED')</script> <b>PWNED</b> <a href=\"https://example.com\">PWNED</a>",
      "_PWNED_ ~~PWNED~~ ![PWNED](https://example.com/i.png) <details open><summary>PWNED",
      "| PWNED | | ` PWNED `` PWNED ``` </td></tr></table><h1>PWNED</h1>",
      "line\n# PWNED\n> PWNED\n- PWNED\n<!-- PWNED --> &lt;PWNED&gt; &#60;i&#62;PWNED",
  };
  const std::string revision = "1a`<img src=PWNED>`";
  Report report;
  report.repository_root = "/nonexistent";
  report.project = "app` <b>PWNED</b> `";
  report.fail_on = FailOn::error;
  CheckOutcome roundtrip{.name = "roundtrip", .status = CheckStatus::failed, .seconds = 1.5};
  for (size_t i = 0; i < std::size(hostile); ++i) {
    roundtrip.findings.push_back(
        {.check = "roundtrip",
         .rule = "downgrade-leaves-trace",
         .severity = i % 2 == 0 ? Severity::error : Severity::warning,
         .message = "downgrade of " + revision + " leaves a trace: " + hostile[i],
         .file = "migrations/versions/" + hostile[(i + 1) % std::size(hostile)] + ".py",
         .line = static_cast<int>(i) + 1,
         .revision = revision,
         .help = hostile[(i + 2) % std::size(hostile)]});
  }
  roundtrip.timings = {{revision, 0.25, 0.125}, {hostile[3], 0.5, 0.0625}};
  report.checks = {roundtrip};
  report.graph = {
      2,  {revision}, {hostile[3]},
      {}, {},         {{hostile[3], hostile[0], {}}, {revision, hostile[1], {hostile[3]}}}};
  return report;
}

Report many_findings(size_t count, size_t message_bytes) {
  Report report;
  report.repository_root = "/nonexistent";
  report.project = "app";
  report.fail_on = FailOn::error;
  report.checks = {{.name = "heads", .status = CheckStatus::failed, .seconds = 0.1},
                   {.name = "roundtrip", .status = CheckStatus::failed, .seconds = 20}};
  constexpr Severity kSeverities[] = {Severity::error, Severity::warning, Severity::notice};
  for (size_t i = 0; i < count; ++i) {
    CheckOutcome& check = report.checks[i % 2];
    std::string message = fmt::format("finding {} ", i);
    message.resize(std::max(message_bytes, message.size()), 'x');
    check.findings.push_back({.check = check.name,
                              .rule = "rule-" + std::to_string(i % 7),
                              .severity = kSeverities[i % 3],
                              .message = message,
                              .file = fmt::format("migrations/versions/r{:04}.py", i),
                              .line = static_cast<int>(i % 300) + 1,
                              .help = "fix it"});
  }
  return report;
}

}  // namespace ag::test
