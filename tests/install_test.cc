// The `install` setting end to end: a virtual environment with the project's own dependencies,
// made before the checks, whose python then runs the project's env.py (Debian's Alembic through
// --system-site-packages); a failing install is exit 3 with the end of its output.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "support/run_gate.h"
#include "support/temp_dir.h"

namespace ag::test {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPipInstall = "pip install --no-index ./vendor/gate_helper";

/// A copy of tests/fixtures/install/needs_package (the install and pip must not write into the
/// source tree).
fs::path copy_project(const TempDir& dir) {
  fs::path project = dir.path() / "needs_package";
  fs::copy(fixture("install/needs_package"), project, fs::copy_options::recursive);
  return project;
}

GateRun run_roundtrip(const fs::path& project, std::string_view install,
                      const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> args = roundtrip_args(project.string());
  if (!install.empty()) args.insert(args.end(), {"--install", std::string(install)});
  return run_gate(args, env);
}

/// The folder named in the log line "install: virtual environment FOLDER made from ...".
fs::path environment_folder(const std::string& log) {
  std::string marker = "install: virtual environment ";
  size_t start = log.find(marker);
  if (start == std::string::npos) return {};
  start += marker.size();
  return log.substr(start, log.find(' ', start) - start);
}

}  // namespace

TEST_SUITE("install") {
  TEST_CASE("without the install, the project's own package cannot be imported") {
    TempDir dir;
    fs::path project = copy_project(dir);
    GateRun run = run_roundtrip(project, "");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> failed = run.findings("revision-unloadable");
    REQUIRE(failed.size() == 1);
    CHECK(failed[0]["message"].get<std::string>().find("No module named 'gate_helper'") !=
          std::string::npos);
    CHECK(failed[0]["file"].get<std::string>().ends_with(
        "migrations/versions/5e1f0c2a9b7d_create_gadget_table.py"));
    CHECK(failed[0]["line"] == 11);
  }

  TEST_CASE("a local package installed by pip is imported by env.py and the revisions") {
    TempDir dir;
    fs::path project = copy_project(dir);
    GateRun run = run_roundtrip(project, kPipInstall);
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.report()["result"] == "passed");
    CHECK(run.err.find("install: " + std::string(kPipInstall) + "\n") != std::string::npos);
    CHECK(run.err.find("Successfully installed gate-helper-1.0") != std::string::npos);
    fs::path venv = environment_folder(run.err);
    REQUIRE_FALSE(venv.empty());
    // Alembic ran with the environment's python, and the environment is gone afterwards.
    CHECK(run.err.find("python: " + (venv / "bin" / "python").string() + " (Python 3.") !=
          std::string::npos);
    CHECK_FALSE(fs::exists(venv));
  }

  TEST_CASE("the command runs in working-directory, inside the environment") {
    TempDir dir;
    fs::path project = copy_project(dir);
    GateRun run =
        run_gate({"--checks", "heads", "--working-directory", project.string(), "--install",
                  "echo \"cwd=$(pwd) venv=$VIRTUAL_ENV pip=$(command -v pip)\""});
    CHECK(run.exit_code == 0);
    fs::path venv = environment_folder(run.err);
    REQUIRE_FALSE(venv.empty());
    CHECK(run.err.find("cwd=" + project.string() + " venv=" + venv.string() +
                       " pip=" + (venv / "bin" / "pip").string() + "\n") != std::string::npos);
  }

  TEST_CASE("a failing install is one error with its last lines, exit 3, and no check runs") {
    TempDir dir;
    fs::path project = copy_project(dir);
    std::string command = "echo fetching; echo 'ERROR: no such package' >&2; exit 7";
    GateRun run = run_roundtrip(project, command, {{"GITHUB_ACTIONS", "true"}});
    CHECK(run.exit_code == 3);
    nlohmann::json report = run.report();
    REQUIRE(report["checks"].size() == 1);
    CHECK(report["checks"][0]["name"] == "install");
    CHECK(report["checks"][0]["status"] == "error");
    std::vector<nlohmann::json> failed = run.findings("install-failed");
    REQUIRE(failed.size() == 1);
    CHECK(failed[0]["severity"] == "error");
    CHECK(failed[0]["message"] == "the install command failed (exit code 7): " + command +
                                      "; its last lines:\n  fetching\n  ERROR: no such package\n"
                                      "No check ran.");
    // On GitHub the output is a collapsed group in which workflow commands are switched off.
    size_t group = run.err.find("::group::install: " + command + "\n");
    size_t output = run.err.find("::stop-commands::", group);
    output = run.err.find("\nfetching\n::", output);
    size_t end = run.err.find("::endgroup::");
    CHECK(group < output);
    CHECK(output < end);
    CHECK(end != std::string::npos);
  }
}

}  // namespace ag::test
