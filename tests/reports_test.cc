// Reports end to end through run(): what lands in GitHub (summary, outputs, annotations with
// repository-relative paths, verbatim blocks), the report files, colours, and fail-on applied the
// same way in every format.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/reporters.h"
#include "support/postgres.h"
#include "support/run_gate.h"
#include "support/runner_reading.h"
#include "support/sample_report.h"
#include "support/temp_dir.h"
#include "util/file.h"

namespace ag::test {
namespace {

/// A repository with the project in backend/: two heads.
void write_two_heads(const TempDir& repository) {
  repository.write("backend/alembic.ini", "[alembic]\nscript_location = %(here)s/migrations\n");
  repository.write("backend/migrations/versions/aaa_base.py",
                   "\"\"\"base\"\"\"\nrevision = 'aaa'\ndown_revision = None\n");
  repository.write("backend/migrations/versions/bbb_one.py",
                   "\"\"\"one\"\"\"\nrevision = 'bbb'\ndown_revision = 'aaa'\n");
  repository.write("backend/migrations/versions/ccc_two.py",
                   "\"\"\"two\"\"\"\nrevision = 'ccc'\ndown_revision = 'aaa'\n");
}

std::map<std::string, std::string> github_env(const TempDir& repository) {
  return {{"GITHUB_ACTIONS", "true"},
          {"GITHUB_WORKSPACE", repository.path().string()},
          {"GITHUB_STEP_SUMMARY", (repository.path() / "summary.md").string()},
          {"GITHUB_OUTPUT", (repository.path() / "outputs.txt").string()},
          {"GITHUB_SERVER_URL", "https://github.com"},
          {"GITHUB_REPOSITORY", "octo/shop"},
          {"GITHUB_SHA", "0123abc"}};
}

std::string contents(const std::filesystem::path& path) {
  Result<std::string> text = read_file(path);
  REQUIRE_MESSAGE(text.ok(), path.string());
  return *text;
}

/// Lines of a step's output outside ::stop-commands:: blocks that are not workflow commands.
std::vector<std::string> loose_lines(const std::string& output) {
  return read_like_the_runner(output).loose;
}

/// The commands the runner runs from a step's stdout and stderr (each read on its own).
std::vector<Command> commands_run(const GateRun& run) {
  std::vector<Command> commands = read_like_the_runner(run.out).commands;
  for (Command& command : read_like_the_runner(run.err).commands)
    commands.push_back(std::move(command));
  return commands;
}

std::vector<std::string> error_messages(const GateRun& run) {
  std::vector<std::string> messages;
  for (const Command& command : commands_run(run))
    if (command.name == "error") messages.push_back(command.message);
  return messages;
}

/// A repository with 12 heads: 13 error findings, more than GitHub annotates.
void write_twelve_heads(const TempDir& repository) {
  write_two_heads(repository);
  for (char c = 'd'; c < 'n'; ++c) {
    std::string id(3, c);
    repository.write("backend/migrations/versions/" + id + ".py",
                     "\"\"\"" + id + "\"\"\"\nrevision = '" + id + "'\ndown_revision = 'aaa'\n");
  }
}

}  // namespace

TEST_SUITE("reports") {
  TEST_CASE("in GitHub Actions: annotations, the job summary appended, the outputs, the files") {
    TempDir repository;
    write_two_heads(repository);
    repository.write("summary.md", "an earlier step's summary\n");
    GateRun run = run_gate(
        {"--checks", "heads", "--working-directory", (repository.path() / "backend").string(),
         "--json-file", "reports/gate.json", "--sarif-file", "gate.sarif"},
        github_env(repository));
    // The folder of json-file does not exist: that is an error naming it, after the rest.
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("cannot write the JSON report (json-file): No such file or directory") !=
          std::string::npos);
    CHECK(run.out.find("::error file=backend/migrations/versions/bbb_one.py,line=2,endLine=2,") !=
          std::string::npos);
    std::string summary = contents(repository.path() / "summary.md");
    CHECK(summary.starts_with("an earlier step's summary\n### ❌ alembic-gate: failed"));
    CHECK(summary.find("](https://github.com/octo/shop/blob/0123abc/backend/migrations/versions/"
                       "bbb_one.py#L2)") != std::string::npos);
    // No report-json: the file it would name was not written; the SARIF file was.
    CHECK(contents(repository.path() / "outputs.txt") ==
          "result=failed\nfailed-checks=heads\nerror-count=3\nwarning-count=0\nheads=bbb,ccc\n"
          "report-sarif=backend/gate.sarif\n");
    nlohmann::json sarif =
        nlohmann::json::parse(contents(repository.path() / "backend/gate.sarif"));
    CHECK(sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
               ["uri"] == "backend/migrations/versions/bbb_one.py");
  }

  TEST_CASE("every step output is declared in action.yml and documented in the README") {
    std::string action = contents(AG_SOURCE_DIR "/action.yml");
    std::string readme = contents(AG_SOURCE_DIR "/README.md");
    std::string outputs = action.substr(action.find("\noutputs:\n"));
    Report report = sample_report();
    report.checks.push_back({.name = "pending"});
    report.checks.back().deploy = DeployState{.current = {"a1"}, .pending = {"b2", "c3"}};
    std::istringstream written(
        step_outputs(report, {.json = "r.json", .sarif = "r.sarif", .sql = "r.sql"}, "D"));
    size_t count = 0;
    for (std::string line; std::getline(written, line); ++count) {
      std::string name = line.substr(0, line.find('='));
      CAPTURE(name);
      CHECK(outputs.find("\n  " + name + ":\n") != std::string::npos);
      CHECK(readme.find("| `" + name + "` |") != std::string::npos);
    }
    CHECK(count == 11);
  }

  TEST_CASE("a usage error leaves its trace in the job summary and the outputs") {
    TempDir repository;
    write_two_heads(repository);
    std::map<std::string, std::string> env = github_env(repository);
    env["INPUT_FAIL-ON"] = "sometimes";
    GateRun run = run_gate(
        {"--working-directory", (repository.path() / "backend").string(), "--json-file", "x.json"},
        env);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("::error title=alembic-gate::input INPUT_FAIL-ON: invalid value "
                       "'sometimes' for fail-on") != std::string::npos);
    std::string summary = contents(repository.path() / "summary.md");
    CHECK(summary.starts_with("### "));
    CHECK(summary.find("invalid value 'sometimes' for fail-on") != std::string::npos);
    CHECK(contents(repository.path() / "outputs.txt") ==
          "result=error\nfailed-checks=settings\nerror-count=1\nwarning-count=0\nheads=\n");
    CHECK_FALSE(std::filesystem::exists(repository.path() / "backend/x.json"));
  }

  TEST_CASE("report-json and report-sarif name the files as later steps see them") {
    TempDir repository;
    write_two_heads(repository);
    repository.folder("backend/reports");
    GateRun run = run_gate(
        {"--checks", "heads", "--working-directory", (repository.path() / "backend").string(),
         "--json-file", "reports/gate.json", "--sarif-file", "gate.sarif", "--fail-on", "never"},
        github_env(repository));
    CHECK(run.exit_code == 0);
    std::string outputs = contents(repository.path() / "outputs.txt");
    CHECK(outputs.starts_with("result=passed\nfailed-checks=\nerror-count=3\n"));
    // From the repository root (the workspace), where upload-sarif and later steps look.
    CHECK(outputs.ends_with(
        "report-json=backend/reports/gate.json\nreport-sarif=backend/gate.sarif\n"));
    CHECK(std::filesystem::is_regular_file(repository.path() / "backend/gate.sarif"));
    nlohmann::json report =
        nlohmann::json::parse(contents(repository.path() / "backend/reports/gate.json"));
    CHECK(report["schema_version"] == 1);
    CHECK(report["project"] == "backend");
  }

  TEST_CASE("a run error is an annotation that shows: the findings leave it one of the 10") {
    TempDir repository;
    write_twelve_heads(repository);
    GateRun run = run_gate(
        {"--checks", "heads", "--working-directory", (repository.path() / "backend").string(),
         "--json-file", "no/such/folder/gate.json"},
        github_env(repository));
    CHECK(run.exit_code == 2);
    std::vector<std::string> errors = error_messages(run);
    CHECK(errors.size() == 10);  // GitHub's limit per step
    REQUIRE_FALSE(errors.empty());
    CHECK(errors.back().find("cannot write the JSON report (json-file)") != std::string::npos);
  }

  TEST_CASE("several files not writable: each is an annotation that shows, the gravest exit") {
    TempDir repository;
    write_twelve_heads(repository);
    std::map<std::string, std::string> env = github_env(repository);
    env["GITHUB_OUTPUT"] = (repository.path() / "gone" / "outputs").string();
    GateRun run = run_gate(
        {"--checks", "heads", "--working-directory", (repository.path() / "backend").string(),
         "--json-file", "no/such/folder/gate.json"},
        env);
    CHECK(run.exit_code == 3);  // GITHUB_OUTPUT is the runner's; json-file alone would be 2
    std::vector<std::string> errors = error_messages(run);
    REQUIRE(errors.size() == 10);
    CHECK(errors[8].find("cannot write the JSON report (json-file)") != std::string::npos);
    CHECK(errors[9].find("cannot write the step outputs (GITHUB_OUTPUT)") != std::string::npos);
  }

  TEST_CASE("the job summary or the outputs not writable: exit 3 naming the file and the reason") {
    for (std::string variable : {"GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"}) {
      CAPTURE(variable);
      TempDir repository;
      write_two_heads(repository);
      std::map<std::string, std::string> env = github_env(repository);
      std::string missing = (repository.path() / "gone" / "file").string();
      env[variable] = missing;
      GateRun run = run_gate(
          {"--checks", "heads", "--working-directory", (repository.path() / "backend").string()},
          env);
      CHECK(run.exit_code == 3);
      CHECK(run.err.find("alembic-gate: " + missing + ": cannot write the ") != std::string::npos);
      CHECK(run.err.find("(" + variable + "): No such file or directory") != std::string::npos);
    }
  }

  TEST_CASE("format text in GitHub Actions: nothing a message holds runs as a command") {
    TempDir repository;
    write_two_heads(repository);
    // The install's last lines end up in the finding's message, indented under its first line.
    GateRun run = run_gate(
        {"--checks", "heads", "--format", "text", "--working-directory",
         (repository.path() / "backend").string(), "--install", "echo '::error::pwned'; exit 1"},
        github_env(repository));
    CHECK(run.exit_code == 3);
    for (const Command& command : commands_run(run)) CHECK(command.message != "pwned");
    RunnerView out = read_like_the_runner(run.out);
    CHECK(out.loose.empty());
    CHECK(std::count_if(out.shown.begin(), out.shown.end(), [](const std::string& line) {
            return line.ends_with(" ::error::pwned");  // shown, not run
          }) == 1);
  }

  TEST_CASE("github format: each check's log lines in its group, annotations outside") {
    GateRun run = run_gate({"--checks", "heads,roundtrip", "--database-url", postgres_url(),
                            "--working-directory", fixture("roundtrip/env_import_error")},
                           {{"GITHUB_ACTIONS", "true"}, {"GITHUB_WORKSPACE", AG_SOURCE_DIR}});
    CHECK(run.exit_code == 1);
    size_t heads = run.err.find("::group::heads\n");
    size_t opened = run.err.find("::group::roundtrip\n");
    size_t traceback = run.err.find("ModuleNotFoundError");
    size_t closing = run.err.find("\nroundtrip: failed (");
    size_t closed = run.err.find("::endgroup::", opened);
    REQUIRE(heads != std::string::npos);
    CHECK(run.err.find("\nheads: passed (") < opened);
    REQUIRE(opened != std::string::npos);
    CHECK(opened < traceback);
    CHECK(traceback < closing);
    CHECK(closing < closed);
    CHECK(closed != std::string::npos);
    RunnerView out = read_like_the_runner(run.out);
    CHECK(commands_named(out, "group").empty());
    CHECK(commands_named(out, "error").size() == 1);
  }

  TEST_CASE("a project that cannot be set up still gets its summary and outputs") {
    TempDir repository;
    repository.folder("backend");
    GateRun run = run_gate({"--working-directory", (repository.path() / "backend").string()},
                           github_env(repository));
    CHECK(run.exit_code == 2);
    CHECK(contents(repository.path() / "summary.md").find("<code>alembic-config</code>") !=
          std::string::npos);
    CHECK(contents(repository.path() / "outputs.txt")
              .starts_with("result=failed\nfailed-checks=project\n"));
  }

  TEST_CASE("a settings error in GitHub is an annotation and a line, both safe") {
    TempDir repository;
    std::map<std::string, std::string> env = github_env(repository);
    env["INPUT_CHECKS"] = "heads,lnt\n::warning::injected";
    GateRun run = run_gate({"--working-directory", repository.path().string()}, env);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("::error title=alembic-gate::input INPUT_CHECKS: unknown checks item") !=
          std::string::npos);
    CHECK(loose_lines(run.err).empty());
    CHECK(run.err.find("\n::warning::injected") == std::string::npos);
  }

  TEST_CASE("github format: what Alembic and Python print is inside ::stop-commands::") {
    GateRun run = run_gate({"--checks", "roundtrip", "--database-url", postgres_url(),
                            "--working-directory", fixture("roundtrip/env_import_error")},
                           {{"GITHUB_ACTIONS", "true"}, {"GITHUB_WORKSPACE", AG_SOURCE_DIR}});
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("ModuleNotFoundError") != std::string::npos);  // the traceback is there
    // Only alembic-gate's own lines are outside: the line closing the check's group.
    std::vector<std::string> loose = loose_lines(run.err);
    REQUIRE(loose.size() == 1);
    CHECK(loose[0].starts_with("roundtrip: failed ("));
    CHECK(run.out.find("::error file=tests/fixtures/roundtrip/env_import_error/migrations/env.py,"
                       "line=16,") != std::string::npos);
  }

  TEST_CASE("colours: on a terminal, unless NO_COLOR or --no-color") {
    std::vector<std::string> args{"--checks", "heads", "--working-directory",
                                  fixture("heads/two_heads")};
    auto colored = [](const GateRun& run) { return run.out.find("\x1b[") != std::string::npos; };
    CHECK(colored(run_gate(args, {}, true)));
    CHECK(colored(run_gate(args, {{"NO_COLOR", ""}}, true)));  // empty counts as unset
    CHECK_FALSE(colored(run_gate(args, {{"NO_COLOR", "1"}}, true)));
    std::vector<std::string> no_color = args;
    no_color.push_back("--no-color");
    CHECK_FALSE(colored(run_gate(no_color, {}, true)));
    CHECK_FALSE(colored(run_gate(args, {}, false)));
  }

  TEST_CASE("fail-on is applied the same way in every format") {
    struct Case {
      std::vector<std::string> project;  ///< errors (two heads) or only warnings (slow steps)
      std::string fail_on;
      int exit_code;
    };
    std::vector<std::string> errors{"--checks", "heads", "--working-directory",
                                    fixture("heads/two_heads")};
    std::vector<std::string> warnings{"--checks",
                                      "roundtrip",
                                      "--database-url",
                                      postgres_url(),
                                      "--slow-migration-ms",
                                      "0",
                                      "--working-directory",
                                      fixture("roundtrip/linear_ok")};
    const Case cases[] = {{errors, "error", 1},   {errors, "warning", 1},   {errors, "never", 0},
                          {warnings, "error", 0}, {warnings, "warning", 1}, {warnings, "never", 0}};
    for (const Case& c : cases) {
      for (std::string format : {"text", "github", "json"}) {
        CAPTURE(c.project.back());
        CAPTURE(c.fail_on);
        CAPTURE(format);
        TempDir files;
        std::vector<std::string> args = c.project;
        args.insert(args.end(), {"--fail-on", c.fail_on, "--format", format, "--json-file",
                                 (files.path() / "r.json").string()});
        GateRun run = run_gate(args, {{"GITHUB_OUTPUT", (files.path() / "outputs.txt").string()}});
        CHECK(run.exit_code == c.exit_code);
        std::string result = c.exit_code == 0 ? "passed" : "failed";
        CHECK(nlohmann::json::parse(contents(files.path() / "r.json"))["result"] == result);
        CHECK(contents(files.path() / "outputs.txt").starts_with("result=" + result + "\n"));
        if (format != "json") {
          CHECK(run.out.find("alembic-gate: " + result + " (") != std::string::npos);
        }
      }
    }
  }
}

}  // namespace ag::test
