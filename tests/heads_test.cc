// The heads check end to end: fixture histories through run(), asserting rule, file, line,
// message and exit code.
#include <doctest/doctest.h>

#include <cstdlib>

#include "support/run_gate.h"
#include "support/temp_dir.h"

namespace ag::test {
namespace {

constexpr std::string_view kVersions = "/migrations/versions/";

GateRun heads(std::string_view name, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--format",
                                "json",
                                "--checks",
                                "heads",
                                "--working-directory",
                                fixture(std::string("heads/") + std::string(name))};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_gate(args);
}

std::string file_of(std::string_view name, std::string_view file) {
  return "tests/fixtures/heads/" + std::string(name) + std::string(kVersions) + std::string(file);
}

bool contains(const nlohmann::json& text, std::string_view part) {
  return text.get<std::string>().find(part) != std::string::npos;
}

}  // namespace

TEST_SUITE("heads") {
  TEST_CASE("a linear history passes and reports its one head") {
    GateRun run = heads("linear");
    CHECK(run.exit_code == 0);
    nlohmann::json report = run.report();
    CHECK(report["result"] == "passed");
    CHECK(report["findings"].empty());
    CHECK(report["graph"]["heads"] == nlohmann::json{"bda638e304e6"});
    CHECK(report["graph"]["revisions"] == 5);
  }

  TEST_CASE("branched and merged, annotated and oddly formatted histories pass") {
    for (std::string_view name : {"branched_merged", "annotated", "odd_formatting", "branch_labels",
                                  "depends_on", "multiple_bases_unlabelled", "non_utf8"}) {
      CAPTURE(name);
      GateRun run = heads(name);
      CHECK(run.exit_code == 0);
      CHECK(run.report()["findings"].empty());
    }
    CHECK(heads("branched_merged").report()["graph"]["merge_points"] ==
          nlohmann::json{"e9f506ce2bfd"});
    CHECK(heads("odd_formatting").report()["graph"]["bases"] ==
          nlohmann::json{"0a1b2c3d4e5f", "1b2c3d4e5f60"});
  }

  TEST_CASE("two heads: one finding per head and one naming the merge command") {
    GateRun run = heads("two_heads");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("multiple-heads");
    REQUIRE(found.size() == 3);
    CHECK(found[0]["file"] == file_of("two_heads", "310dc4d717d9_add_avatar_url_to_users.py"));
    CHECK(found[0]["line"] == 13);
    CHECK(found[0]["message"] ==
          "revision 310dc4d717d9 (\"add avatar url to users\") is one of 2 heads (310dc4d717d9, "
          "e1600fa30d3a); `alembic upgrade head` will fail");
    CHECK(found[1]["file"] == file_of("two_heads", "e1600fa30d3a_add_timezone_to_teams.py"));
    CHECK(found[2]["file"] == "");
    CHECK(found[2]["help"] ==
          "merge them: alembic merge -m \"merge heads\" 310dc4d717d9 e1600fa30d3a");
  }

  TEST_CASE("a cycle is reported with its path, also the one Alembic misses") {
    GateRun run = heads("cycle");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("cycle");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["file"] == file_of("cycle", "32ba94212059_create_invoices_table.py"));
    CHECK(found[0]["line"] == 14);
    CHECK(contains(found[0]["message"],
                   "32ba94212059 -> bb4ecd7034c8 -> bad7e878a572 -> 32ba94212059"));
    CHECK(run.findings("unlabelled-branch").empty());  // no noise from the broken link

    GateRun hidden = heads("cycle_hidden");
    CHECK(hidden.exit_code == 1);
    REQUIRE(hidden.findings("cycle").size() == 1);
    CHECK(contains(hidden.findings("cycle")[0]["message"],
                   "2262d9a4b699 -> dfe38e95bc14 -> fc2509085d6a -> 2262d9a4b699"));
  }

  TEST_CASE("a missing parent points at the down_revision line") {
    GateRun run = heads("missing_parent");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("missing-parent");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["file"] == file_of("missing_parent", "f9f55360d3a8_create_audit_log_table.py"));
    CHECK(found[0]["line"] == 14);
    CHECK(found[0]["message"] ==
          "down_revision names a7409cedfa21, which no revision file declares");
    CHECK(run.report()["findings"].size() == 1);
  }

  TEST_CASE("a duplicate id is reported in both files") {
    GateRun run = heads("duplicate_id");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("duplicate-revision");
    REQUIRE(found.size() == 2);
    CHECK(found[0]["file"] == file_of("duplicate_id", "6c316585ab3a_add_email_to_users.py"));
    CHECK(found[1]["file"] == file_of("duplicate_id", "6c316585ab3a_add_email_to_users_copy.py"));
    CHECK(found[0]["line"] == 13);
    CHECK(contains(found[0]["message"],
                   "revision id 6c316585ab3a is also declared in " +
                       file_of("duplicate_id", "6c316585ab3a_add_email_to_users_copy.py")));
  }

  TEST_CASE("self-loop, reused branch label, unknown dependency, illegal id") {
    struct Case {
      std::string_view fixture, rule, file;
      int line;
      std::string_view message;
    };
    for (const Case& c : {
             Case{"self_loop", "self-loop", "8c25bd3913b6_add_phone_to_users.py", 14,
                  "revision 8c25bd3913b6 names itself in down_revision"},
             Case{"branch_label_reused", "duplicate-branch-label",
                  "ba7abdece062_create_billing_customers_table.py", 15,
                  "branch label \"core\" is already used by revision 650ca0bc2a1f (\"create auth "
                  "users table\")"},
             Case{"depends_on_unknown", "unknown-dependency",
                  "42abde786a6d_create_sessions_table.py", 16,
                  "depends_on names \"c73081fd1516\", which is neither a revision id nor a branch "
                  "label"},
             Case{"illegal_chars", "illegal-revision-id", "4c1d8e2a_7b93_add_locale_to_users.py",
                  13,
                  "revision id \"4c1d8e2a-7b93\" contains '-'; Alembic rejects '@', '-' and '+' in "
                  "ids"},
         }) {
      CAPTURE(c.fixture);
      GateRun run = heads(c.fixture);
      CHECK(run.exit_code == 1);
      std::vector<nlohmann::json> found = run.findings(c.rule);
      REQUIRE(found.size() == 1);
      CHECK(found[0]["file"] == file_of(c.fixture, c.file));
      CHECK(found[0]["line"] == c.line);
      CHECK(found[0]["message"] == c.message);
      CHECK(found[0]["severity"] == "error");
    }
  }

  TEST_CASE("independent histories need branch labels") {
    GateRun run = heads("independent_unlabelled");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("unlabelled-branch");
    REQUIRE(found.size() == 2);
    CHECK(found[0]["file"] ==
          file_of("independent_unlabelled", "492b0123e50b_create_billing_customers_table.py"));
    CHECK(found[0]["line"] == 14);
    CHECK(contains(found[0]["message"], "starts one of 2 independent histories"));
  }

  TEST_CASE("computed values are findings at their lines, never guesses") {
    GateRun run = heads("computed_value");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("unreadable-value");
    REQUIRE(found.size() == 4);
    CHECK(found[0]["file"] == file_of("computed_value", "8f3a61d0c2e7_add_email_to_users.py"));
    CHECK(found[0]["line"] == 17);
    CHECK(contains(found[0]["message"],
                   "revision is computed and cannot be read without running the file"));
    CHECK(found[1]["line"] == 18);
    CHECK(contains(found[1]["message"], "down_revision is computed"));
    CHECK(found[2]["file"] == file_of("computed_value", "c47e9b2d0a18_create_orders_table.py"));
    CHECK(found[2]["line"] == 15);
    CHECK(found[3]["line"] == 16);
  }

  TEST_CASE("invalid UTF-8 outside comments is an error at its line") {
    GateRun run = heads("non_utf8_docstring");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("invalid-encoding");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["file"] ==
          file_of("non_utf8_docstring", "e04b7d19c6a8_add_vat_number_to_customers.py"));
    CHECK(found[0]["line"] == 1);
    CHECK(contains(found[0]["message"], "byte 0xFF on line 1 is not valid UTF-8"));
  }

  TEST_CASE("an empty history is a notice, not a failure") {
    GateRun run = heads("empty");
    CHECK(run.exit_code == 0);
    std::vector<nlohmann::json> found = run.findings("empty-history");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["severity"] == "notice");
  }

  TEST_CASE("a 2 MB revision file is read") {
    TempDir dir;
    std::string command =
        "/usr/bin/python3 " + fixture("heads/big_file/generate.py") + " " + dir.path().string();
    REQUIRE(std::system(command.c_str()) == 0);
    GateRun run = run_gate(
        {"--format", "json", "--checks", "heads", "--working-directory", dir.path().string()});
    CHECK(run.exit_code == 0);
    CHECK(run.report()["graph"]["heads"] == nlohmann::json{"b16f11e0a2c4"});
  }

  TEST_CASE("fail-on decides the exit code") {
    CHECK(heads("two_heads", {"--fail-on", "never"}).exit_code == 0);
    CHECK(heads("two_heads", {"--fail-on", "warning"}).exit_code == 1);
    CHECK(heads("empty", {"--fail-on", "warning"}).exit_code == 0);  // a notice never fails
  }

  TEST_CASE("github format: annotations with repository-relative paths and escaping") {
    GateRun run = run_gate({"--checks", "heads", "--working-directory", fixture("heads/two_heads")},
                           {{"GITHUB_ACTIONS", "true"}, {"GITHUB_WORKSPACE", AG_SOURCE_DIR}});
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("::group::heads\n") != std::string::npos);  // while it runs
    CHECK(run.out.starts_with("heads: failed ("));                 // the report, after it
    CHECK(run.out.find(
              "::error file=" + file_of("two_heads", "310dc4d717d9_add_avatar_url_to_users.py") +
              ",line=13,endLine=13,title=alembic-gate heads%3A multiple-heads::revision "
              "310dc4d717d9") != std::string::npos);
    CHECK(run.out.find("%0A%0AHow to fix: merge them: alembic merge -m \"merge heads\" "
                       "310dc4d717d9 e1600fa30d3a") != std::string::npos);
    CHECK(run.err.find("::endgroup::") != std::string::npos);
  }

  TEST_CASE("text format: path:line: severity: message [rule]") {
    GateRun run = run_gate({"--format", "text", "--checks", "heads", "--working-directory",
                            fixture("heads/missing_parent")});
    CHECK(run.exit_code == 1);
    CHECK(run.out.find(
              "f9f55360d3a8_create_audit_log_table.py:14: error: down_revision names a7409cedfa21, "
              "which no revision file declares [missing-parent]\n") != std::string::npos);
    CHECK(run.out.find("alembic-gate: failed (1 error, 0 warnings, 0 notices); failed: heads\n") !=
          std::string::npos);
  }
}

}  // namespace ag::test
