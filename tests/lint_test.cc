// The lint check end to end: fixture projects through run(), asserting rule, file, line, message
// and exit code; the scope (lint-since, a pull request in a real git repository); the settings;
// ignore comments; examples/blog.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "process/subprocess.h"
#include "support/postgres.h"
#include "support/run_gate.h"
#include "support/temp_dir.h"
#include "util/file.h"

namespace ag::test {
namespace {

namespace fs = std::filesystem;

const std::set<std::string> kStaticRules = {
    "missing-docstring", "empty-message",           "empty-upgrade",    "empty-downgrade",
    "imports-app-code",  "commit-inside-migration", "filename-mismatch"};

GateRun lint_at(const std::string& folder, std::vector<std::string> extra = {},
                const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> args{
      "--format", "json",     "--checks",        "lint", "--working-directory",
      folder,     "--python", "/usr/bin/python3"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_gate(args, env);
}

GateRun lint(std::string_view name, std::vector<std::string> extra = {}) {
  return lint_at(fixture("lint/" + std::string(name)), std::move(extra));
}

std::string version_file(std::string_view project, std::string_view file) {
  return "tests/fixtures/lint/" + std::string(project) + "/migrations/versions/" +
         std::string(file);
}

/// The findings of the static rules (the SQL half has its own tests), as sorted
/// "rule file:line" lines.
std::string static_findings(const GateRun& run) {
  std::multiset<std::string> found;
  nlohmann::json report = run.report();
  for (const nlohmann::json& f : report["findings"]) {
    std::string rule = f["rule"];
    if (!kStaticRules.contains(rule)) continue;
    std::string file = f["file"];
    found.insert(rule + " " + file.substr(file.rfind('/') + 1) + ":" +
                 std::to_string(f["line"].get<int>()));
  }
  std::string out;
  for (const std::string& line : found) out += line + "\n";
  return out;
}

/// `lines` sorted, one per line, as static_findings() gives them.
std::string lines(std::multiset<std::string> sorted) {
  std::string out;
  for (const std::string& line : sorted) out += line + "\n";
  return out;
}

size_t count_lines(std::string_view text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

/// Runs git in `folder`; the test fails when git does.
void git(const fs::path& folder, std::vector<std::string> arguments) {
  std::vector<std::string> argv{
      "git", "-C", folder.string(), "-c", "user.name=test", "-c", "user.email=test@example.com"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  Result<process::Completed> done = process::run(argv);
  REQUIRE(done.ok());
  INFO(done->err);
  REQUIRE(done->success());
}

std::string git_output(const fs::path& folder, std::vector<std::string> arguments) {
  std::vector<std::string> argv{"git", "-C", folder.string()};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  Result<process::Completed> done = process::run(argv);
  REQUIRE(done.ok());
  REQUIRE(done->success());
  return done->out.substr(0, done->out.find('\n'));
}

/// A git repository holding a copy of the `static` fixture, committed; returns the commit.
std::string committed_copy(const TempDir& dir) {
  fs::copy(fixture("lint/static"), dir.path(), fs::copy_options::recursive);
  git(dir.path(), {"init", "-q"});
  git(dir.path(), {"add", "."});
  git(dir.path(), {"commit", "-q", "-m", "base"});
  return git_output(dir.path(), {"rev-parse", "HEAD"});
}

fs::path write_event(const TempDir& dir, std::string_view sha) {
  return dir.write("event.json",
                   "{\"action\": \"opened\", \"pull_request\": {\"number\": 7, "
                   "\"base\": {\"ref\": \"main\", \"sha\": \"" +
                       std::string(sha) + "\"}}}");
}

}  // namespace

TEST_SUITE("lint") {
  TEST_CASE("static rules: each rule's fixture triggers it, once, where the table says") {
    GateRun run = lint("static");
    CHECK(run.exit_code == 1);  // commit-inside-migration is an error
    CHECK(static_findings(run) ==
          lines({
              "empty-message 1a0000000002_.py:1",
              "missing-docstring 1a0000000003_add_email.py:1",
              "empty-upgrade 1a0000000004_placeholder.py:19",
              "empty-downgrade 1a0000000005_add_note.py:23",
              "imports-app-code 1a0000000007_add_left_at.py:11",
              "commit-inside-migration 1a0000000009_add_banned_status.py:20",
              "filename-mismatch add_phone.py:13",
          }));
  }

  TEST_CASE(
      "static rules: a guard that returns then pass is an empty upgrade, and an upgrade "
      "that only reads needs no downgrade") {
    GateRun run = lint("clean_shapes");
    CHECK(static_findings(run) ==
          lines({"empty-upgrade 4a0000000003_placeholder_for_postgres.py:19"}));
    CHECK(run.findings("empty-downgrade").empty());
  }

  TEST_CASE("findings come file by file in upgrade order, static and SQL ones together, by line") {
    const std::vector<std::string> order = {"1a0000000001_create_users.py",
                                            "1a0000000002_.py",
                                            "1a0000000003_add_email.py",
                                            "1a0000000004_placeholder.py",
                                            "1a0000000005_add_note.py",
                                            "1a0000000006_backfill_names.py",
                                            "1a0000000007_add_left_at.py",
                                            "1a0000000008_add_bio.py",
                                            "1a0000000009_add_banned_status.py",
                                            "1a000000000a_add_paused_status.py",
                                            "add_phone.py",
                                            "1a000000000c_add_city.py",
                                            "1a000000000d_add_zip.py",
                                            "1a000000000e_merge_city_and_zip.py"};
    nlohmann::json report = lint("static").report();
    REQUIRE(report["findings"].size() > 7);
    std::pair<long, int> last{-1, 0};
    for (const nlohmann::json& finding : report["findings"]) {
      std::string file = finding["file"];
      file = file.substr(file.rfind('/') + 1);
      CAPTURE(file);
      std::pair<long, int> at{std::find(order.begin(), order.end(), file) - order.begin(),
                              finding["line"].get<int>()};
      CHECK(at.first < static_cast<long>(order.size()));
      CHECK(last <= at);
      last = at;
    }
  }

  TEST_CASE("static rules: messages, severities and revisions as reported") {
    GateRun run = lint("static");
    std::vector<nlohmann::json> found = run.findings("imports-app-code");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["check"] == "lint");
    CHECK(found[0]["severity"] == "warning");
    CHECK(found[0]["file"] == version_file("static", "1a0000000007_add_left_at.py"));
    CHECK(found[0]["revision"] == "1a0000000007");
    CHECK(found[0]["message"] ==
          "the migration imports app.models, the application's own code "
          "(tests/fixtures/lint/static/app): when that code changes, replaying this migration on "
          "a fresh database runs the new code, or stops importing");
    found = run.findings("commit-inside-migration");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["severity"] == "error");
    CHECK(found[0]["help"] ==
          "run what cannot run in a transaction inside `with "
          "op.get_context().autocommit_block():` instead");
    found = run.findings("filename-mismatch");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["severity"] == "notice");
    CHECK(found[0]["message"] ==
          "the file name add_phone.py does not carry the revision id 1a000000000b, though the "
          "project's file_template (%(rev)s_%(slug)s) puts it there");
    found = run.findings("empty-upgrade");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["end_line"] == 20);
    CHECK(found[0]["revision"] == "1a0000000004");
  }

  TEST_CASE("findings carry the column of the op. call, in JSON and SARIF") {
    TempDir dir;
    GateRun run = lint("static", {"--sarif-file", (dir.path() / "lint.sarif").string()});
    std::vector<nlohmann::json> commits = run.findings("commit-inside-migration");
    REQUIRE(commits.size() == 1);
    CHECK(commits[0]["line"] == 20);
    CHECK(commits[0]["column"] == 5);  // `    op.execute("COMMIT")`
    std::vector<nlohmann::json> imports = run.findings("imports-app-code");
    REQUIRE(imports.size() == 1);
    CHECK(imports[0]["column"] == 1);  // `from app.models import STATUSES`
    std::vector<nlohmann::json> locks = run.findings("require-lock-timeout");
    REQUIRE(!locks.empty());
    for (const nlohmann::json& lock : locks) CHECK(lock["column"] == 5);
    Result<std::string> text = read_file(dir.path() / "lint.sarif");
    REQUIRE(text.ok());
    nlohmann::json sarif = nlohmann::json::parse(*text);
    size_t placed = 0;
    for (const nlohmann::json& result : sarif["runs"][0]["results"]) {
      if (result["ruleId"] != "commit-inside-migration") continue;
      const nlohmann::json& region = result["locations"][0]["physicalLocation"]["region"];
      CHECK(region["startLine"] == 20);
      CHECK(region["startColumn"] == 5);
      ++placed;
    }
    CHECK(placed == 1);
  }

  TEST_CASE(
      "a revision that cannot render offline: with the roundtrip, lint judges what its "
      "upgrade ran online, at each op. line, inside its transaction") {
    std::string project = fixture("lint/reads_rows");
    std::string file = version_file("reads_rows", "3a0000000002_move_email_domain.py");
    // Alone, lint sees what an upgrade prints before it reads rows, and says so.
    GateRun alone = lint("reads_rows");
    std::vector<nlohmann::json> failed = alone.findings("offline-revision-failed");
    REQUIRE(failed.size() == 2);
    CHECK(failed[0]["line"] == 20);
    CHECK(alone.findings("ban-drop-column").empty());
    // With the roundtrip, the drop and the index after that line are judged too, as it ran them;
    // 3a0000000003 fails offline before printing anything, and what it ran stays inside its
    // transaction: its SET LOCAL lock_timeout counts for its ALTER TABLE.
    GateRun both =
        run_gate({"--format", "json", "--checks", "lint,roundtrip", "--database-url",
                  postgres_url(), "--working-directory", project, "--python", "/usr/bin/python3"});
    INFO(both.err);
    std::vector<std::string> lint_findings;
    nlohmann::json report = both.report();
    for (const nlohmann::json& finding : report["findings"]) {
      if (finding["check"] != "lint") continue;
      std::string name = finding["file"].get<std::string>();
      lint_findings.push_back(name.substr(name.rfind('/') + 1, 12) + " " +
                              finding["rule"].get<std::string>() + ":" +
                              std::to_string(finding["line"].get<int>()));
    }
    CHECK(lint_findings == std::vector<std::string>{
                               "3a0000000002 offline-revision-failed:20",
                               "3a0000000002 unbatched-data-change:27",
                               "3a0000000002 ban-drop-column:28",
                               "3a0000000002 require-concurrent-index-creation:29",
                               "3a0000000003 offline-revision-failed:18",
                           });
    failed = both.findings("offline-revision-failed");
    REQUIRE(failed.size() == 2);
    CHECK(failed[0]["file"] == file);
    CHECK(failed[0]["message"] ==
          "upgrade() of 3a0000000002 raised in offline mode (AttributeError: 'NoneType' object "
          "has no attribute 'fetchall'): the SQL rules judged what it ran online in the "
          "roundtrip's scratch database instead");
    CHECK(both.findings("downgrade-leaves-trace").empty());
    CHECK(report["checks"].size() == 2);
  }

  TEST_CASE("ignore comments: on the line, above, file-level, bad ones silence nothing") {
    GateRun run = lint("ignores");
    std::vector<nlohmann::json> bad = run.findings("bad-ignore");
    REQUIRE(bad.size() == 2);
    std::string file = version_file("ignores", "2b0000000004_add_archived_status.py");
    CHECK(bad[0]["file"] == file);
    CHECK(bad[0]["line"] == 20);
    CHECK(bad[0]["severity"] == "warning");
    CHECK(bad[0]["message"] ==
          "the ignore of commit-inside-migration gives no reason; it silences nothing until it "
          "says why the rule does not apply here");
    CHECK(bad[1]["line"] == 22);
    CHECK(bad[1]["message"] ==
          "the ignore names 'commit-in-migration', which is not a lint rule; it silences "
          "nothing");
    CHECK(static_findings(run) ==
          lines({"commit-inside-migration 2b0000000004_add_archived_status.py:20",
                 "commit-inside-migration 2b0000000004_add_archived_status.py:22"}));
    // SQL findings are silenced the same way: on the op. call's line, or above a call spread
    // over several lines; the index without an ignore is still reported.
    std::vector<nlohmann::json> sql = run.findings("require-concurrent-index-creation");
    REQUIRE(sql.size() == 1);
    CHECK(sql[0]["file"] == version_file("ignores", "2b0000000005_drop_status_index_users.py"));
    CHECK(sql[0]["line"] == 29);
    CHECK(run.findings("ban-drop-column").empty());
    // Inside `with op.batch_alter_table(...)`, on the batch_op line (Alembic runs the queued
    // operations when the block ends; the finding is still the batch_op line's), or on the
    // `with` line for every batch_op of the block (2b0000000007: lines 22 and 23; the
    // op.add_column after the block, line 24, is still reported).
    std::vector<nlohmann::json> batch = run.findings("prefer-timestamptz");
    REQUIRE(batch.size() == 2);
    CHECK(batch[0]["file"] == version_file("ignores", "2b0000000006_batch_users.py"));
    CHECK(batch[0]["line"] == 23);
    CHECK(batch[1]["file"] == version_file("ignores", "2b0000000007_batch_users_once.py"));
    CHECK(batch[1]["line"] == 24);
    CHECK(run.err.find("lint: 8 findings silenced by ignore comments") != std::string::npos);
  }

  TEST_CASE("an env.py that cannot run offline: the static findings and one notice") {
    GateRun run = lint("offline_unsafe");
    INFO(run.err);
    CHECK(run.exit_code == 0);  // a warning and a notice; fail-on is error
    std::vector<std::string> found;
    nlohmann::json report = run.report();
    for (const nlohmann::json& finding : report["findings"]) {
      found.push_back(
          finding["rule"].get<std::string>() + " " + finding["severity"].get<std::string>() + " " +
          finding["file"].get<std::string>() + ":" + std::to_string(finding["line"].get<int>()));
    }
    CHECK(found ==
          std::vector<std::string>{
              "offline-env-failed notice tests/fixtures/lint/offline_unsafe/migrations/env.py:12",
              "missing-docstring warning " +
                  version_file("offline_unsafe", "3c0000000001_create_users.py") + ":1",
          });
    std::vector<nlohmann::json> notice = run.findings("offline-env-failed");
    REQUIRE(notice.size() == 1);
    CHECK(notice[0]["message"].get<std::string>().starts_with(
        "env.py cannot run in offline mode, so the SQL rules did not run (only the static rules "
        "did): OperationalError: (psycopg2.OperationalError) connection to server at "
        "\"127.0.0.1\", port 1 failed"));
    CHECK(notice[0]["help"] ==
          "Support offline mode in env.py as Alembic's template does: `if "
          "context.is_offline_mode(): context.configure(url=..., literal_binds=True)`.");
  }

  TEST_CASE("a python that cannot start the worker: one notice saying what to set") {
    GateRun run = lint_at(fixture("lint/offline_unsafe"), {"--python", "/bin/false"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    std::vector<nlohmann::json> notice = run.findings("offline-env-failed");
    REQUIRE(notice.size() == 1);
    CHECK(notice[0]["message"].get<std::string>().starts_with(
        "the Python worker could not start, so the SQL rules did not run"));
    CHECK(notice[0]["help"] ==
          "Set `python` to a Python 3 interpreter that imports Alembic and SQLAlchemy, or give "
          "`install` the command that installs them and what env.py imports.");
  }

  TEST_CASE("lint-since: only what a database at that revision has not applied") {
    GateRun run = lint("static", {"--lint-since", "1a000000000a"});
    CHECK(run.exit_code == 0);
    CHECK(static_findings(run) == lines({"filename-mismatch add_phone.py:13"}));
    CHECK(run.err.find("lint: 4 of 14 revision files (after 1a000000000a)") != std::string::npos);
    // A unique prefix works as in Alembic; the merge's parents are after 0b, 0c is not before 0d.
    run = lint("static", {"--lint-since", "1a000000000c"});
    CHECK(static_findings(run).empty());
    CHECK(run.err.find("lint: 2 of 14 revision files") != std::string::npos);
  }

  TEST_CASE("lint-since naming no revision, or an ambiguous prefix: an error, nothing linted") {
    for (std::string since : {"ffff", "1a00000000"}) {
      CAPTURE(since);
      GateRun run = lint("static", {"--lint-since", since});
      CHECK(run.exit_code == 1);
      std::vector<nlohmann::json> found = run.findings("lint-since-unknown");
      REQUIRE(found.size() == 1);
      CHECK(found[0]["severity"] == "error");
      CHECK(found[0]["message"] == "lint-since is '" + since +
                                       "', which is no revision of this history (or a prefix of "
                                       "several); nothing was linted");
      CHECK(run.report()["findings"].size() == 1);
    }
  }

  TEST_CASE("pull request: only the migrations it adds or changes, from git") {
    TempDir dir;
    std::string base = committed_copy(dir);
    fs::path versions = dir.path() / "migrations" / "versions";
    std::ofstream(versions / "1a000000000f_add_country.py")
        << "revision = '1a000000000f'\ndown_revision = '1a000000000e'\n\n\n"
           "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n";
    std::ofstream(versions / "1a0000000002_.py", std::ios::app) << "\n# touched\n";
    fs::remove(versions / "1a0000000003_add_email.py");
    git(dir.path(), {"add", "-A"});
    git(dir.path(), {"commit", "-q", "-m", "the pull request"});
    GateRun run =
        lint_at(dir.path().string(), {}, {{"GITHUB_EVENT_PATH", write_event(dir, base).string()}});
    CHECK(static_findings(run) == lines({
                                      "empty-message 1a0000000002_.py:1",
                                      "missing-docstring 1a000000000f_add_country.py:1",
                                      "empty-upgrade 1a000000000f_add_country.py:5",
                                  }));
    CHECK(run.findings("lint-scope").empty());
    CHECK(run.err.find("lint: 2 of 14 revision files (added or changed by the pull request)") !=
          std::string::npos);
  }

  TEST_CASE("pull request: the job summary and sql-file show the SQL of its revisions alone") {
    TempDir dir;
    std::string base = committed_copy(dir);
    fs::path versions = dir.path() / "migrations" / "versions";
    std::ofstream(versions / "1a000000000f_index_users.py")
        << "\"\"\"index users\"\"\"\nfrom alembic import op\n\nrevision = '1a000000000f'\n"
           "down_revision = '1a000000000e'\n\n\ndef upgrade():\n"
           "    op.create_index('ix_users_name', 'users', ['name'])\n\n\ndef downgrade():\n"
           "    op.drop_index('ix_users_name', table_name='users')\n";
    git(dir.path(), {"add", "-A"});
    git(dir.path(), {"commit", "-q", "-m", "the pull request"});
    std::map<std::string, std::string> env{
        {"GITHUB_EVENT_PATH", write_event(dir, base).string()},
        {"GITHUB_STEP_SUMMARY", (dir.path() / "summary.md").string()}};
    GateRun run = lint_at(dir.path().string(), {"--sql-file", "review.sql"}, env);
    INFO(run.err);
    std::ifstream file(dir.path() / "review.sql");
    std::string sql((std::istreambuf_iterator<char>(file)), {});
    CHECK(count_lines(sql) > 10);
    CHECK(sql.find("-- Revision 1a000000000f: index users\n-- File: migrations/versions/"
                   "1a000000000f_index_users.py\n") != std::string::npos);
    CHECK(sql.find("-- Revision ") == sql.rfind("-- Revision "));  // that revision alone
    CHECK(sql.find("-- Upgrade\nBEGIN;\n\n-- Running upgrade 1a000000000e -> 1a000000000f\n\n"
                   "CREATE INDEX ix_users_name ON users (name);\n") != std::string::npos);
    CHECK(sql.find("-- Downgrade\nBEGIN;\n\n-- Running downgrade 1a000000000f -> 1a000000000e\n\n"
                   "DROP INDEX ix_users_name;\n") != std::string::npos);
    std::ifstream summary_file(dir.path() / "summary.md");
    std::string summary((std::istreambuf_iterator<char>(summary_file)), {});
    CHECK(summary.find("<details><summary><code>1a000000000f</code> index users · "
                       "migrations/versions/1a000000000f_index_users.py · 2 findings</summary>") !=
          std::string::npos);
    CHECK(summary.find("-- ▼ error require-concurrent-index-creation (line 9): CREATE INDEX "
                       "ix_users_name holds a SHARE lock on existing table users until the index "
                       "is built, blocking every INSERT, UPDATE and DELETE on it meanwhile\n-- ▼ "
                       "warning require-lock-timeout (line 9): ") != std::string::npos);
    CHECK(summary.find("<code>1a0000000001</code>") == std::string::npos);  // not in scope
  }

  TEST_CASE(
      "actions/checkout's default clone: the base is fetched, the pull request's files linted") {
    // origin: the base, a pull request, and the merge commit GitHub makes of them.
    TempDir origin;
    std::string base = committed_copy(origin);
    git(origin.path(), {"checkout", "-q", "-b", "feature"});
    fs::path versions = origin.path() / "migrations" / "versions";
    std::ofstream(versions / "1a000000000f_add_country.py")
        << "revision = '1a000000000f'\ndown_revision = '1a000000000e'\n\n\n"
           "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n";
    std::ofstream(versions / "1a0000000002_.py", std::ios::app) << "\n# touched\n";
    git(origin.path(), {"add", "-A"});
    git(origin.path(), {"commit", "-q", "-m", "the pull request"});
    git(origin.path(), {"checkout", "-q", "--detach", base});
    git(origin.path(), {"merge", "-q", "--no-ff", "-m", "merge", "feature"});
    git(origin.path(), {"update-ref", "refs/pull/7/merge", "HEAD"});
    // As GitHub's server: any reachable commit may be fetched, trees without their files.
    git(origin.path(), {"config", "uploadpack.allowReachableSHA1InWant", "true"});
    git(origin.path(), {"config", "uploadpack.allowFilter", "true"});
    // The workspace, as actions/checkout leaves it by default: that merge commit alone.
    TempDir workspace;
    git(workspace.path(), {"init", "-q"});
    git(workspace.path(), {"remote", "add", "origin", "file://" + origin.path().string()});
    git(workspace.path(), {"fetch", "-q", "--depth=1", "origin", "refs/pull/7/merge"});
    git(workspace.path(), {"checkout", "-q", "FETCH_HEAD"});
    write_event(workspace, base);

    GateRun run = lint_at(workspace.path().string(), {},
                          {{"GITHUB_EVENT_PATH", (workspace.path() / "event.json").string()}});
    INFO(run.err);
    CHECK(run.findings("lint-scope").empty());
    CHECK(static_findings(run) == lines({
                                      "empty-message 1a0000000002_.py:1",
                                      "missing-docstring 1a000000000f_add_country.py:1",
                                      "empty-upgrade 1a000000000f_add_country.py:5",
                                  }));
    CHECK(run.err.find("lint: 2 of 15 revision files (added or changed by the pull request)") !=
          std::string::npos);
  }

  TEST_CASE("pull request whose base commit is not in the clone: everything, with a notice") {
    TempDir dir;
    committed_copy(dir);
    GateRun run =
        lint_at(dir.path().string(), {},
                {{"GITHUB_EVENT_PATH",
                  write_event(dir, "0123456789abcdef0123456789abcdef01234567").string()}});
    std::vector<nlohmann::json> notice = run.findings("lint-scope");
    REQUIRE(notice.size() == 1);
    CHECK(notice[0]["severity"] == "notice");
    std::string message = notice[0]["message"];
    CHECK(
        message.starts_with("this is a pull request, but git cannot tell which migrations it "
                            "adds or changes (git diff failed: "));
    CHECK(message.ends_with("); every revision file was linted"));
    CHECK(notice[0]["help"] ==
          "give actions/checkout `fetch-depth: 0` so that the base commit is in the clone, or set "
          "lint-since");
    CHECK(count_lines(static_findings(run)) == 7);
  }

  TEST_CASE("a base commit that is no commit id never reaches git: everything, with a notice") {
    TempDir dir;
    committed_copy(dir);
    fs::path planted = dir.path() / "planted";
    GateRun run =
        lint_at(dir.path().string(), {},
                {{"GITHUB_EVENT_PATH", write_event(dir, "--output=" + planted.string()).string()}});
    std::vector<nlohmann::json> notice = run.findings("lint-scope");
    REQUIRE(notice.size() == 1);
    CHECK(notice[0]["message"] ==
          "this is a pull request, but git cannot tell which migrations it adds or changes (the "
          "base commit '--output=" +
              planted.string() +
              "' is no commit id: pull_request.base.sha must be hexadecimal); every revision "
              "file was linted");
    CHECK_FALSE(fs::exists(planted.string() + "...HEAD"));  // where git diff --output wrote
    CHECK(count_lines(static_findings(run)) == 7);
  }

  TEST_CASE("an event that is not a pull request's lints everything, without a notice") {
    TempDir dir;
    committed_copy(dir);
    fs::path event = dir.write("push.json", "{\"ref\": \"refs/heads/main\", \"after\": \"abc\"}");
    GateRun run = lint_at(dir.path().string(), {}, {{"GITHUB_EVENT_PATH", event.string()}});
    CHECK(run.findings("lint-scope").empty());
    CHECK(count_lines(static_findings(run)) == 7);
  }

  TEST_CASE("an event file that cannot be read lints everything, with a notice naming it") {
    TempDir dir;
    committed_copy(dir);
    fs::path missing = dir.path() / "no-event.json";
    GateRun run = lint_at(dir.path().string(), {}, {{"GITHUB_EVENT_PATH", missing.string()}});
    std::vector<nlohmann::json> notice = run.findings("lint-scope");
    REQUIRE(notice.size() == 1);
    std::string message = notice[0]["message"];
    CHECK(message.starts_with("cannot tell whether this is a pull request: the event file " +
                              missing.string() + " (GITHUB_EVENT_PATH): cannot read file"));
    CHECK(message.ends_with("; every revision file was linted"));
    CHECK(count_lines(static_findings(run)) == 7);
  }

  TEST_CASE("lint-rules and lint-severity apply to every finding") {
    GateRun run = lint("static", {"--lint-rules", "-missing-docstring,-empty-message",
                                  "--lint-severity", "commit-inside-migration=warning"});
    CHECK(run.exit_code == 0);
    CHECK(run.findings("missing-docstring").empty());
    CHECK(run.findings("empty-message").empty());
    REQUIRE(run.findings("commit-inside-migration").size() == 1);
    CHECK(run.findings("commit-inside-migration")[0]["severity"] == "warning");
    run = lint("static", {"--lint-rules", "filename-mismatch"});
    CHECK(static_findings(run) == lines({"filename-mismatch add_phone.py:13"}));
    CHECK(run.report()["findings"].size() == 1);
    // No SQL rule runs, so the SQL half (a Python process) is not started at all.
    // (The SQL half logs "lint: SQL of <n> revisions ..." when it runs.)
    CHECK(run.err.find("SQL of") == std::string::npos);
    CHECK(lint("static").err.find("lint: SQL of 14 revisions") != std::string::npos);
  }

  TEST_CASE("unknown rules or severities in the settings are usage errors") {
    GateRun run = lint("static", {"--lint-rules", "-missing-docstrings"});
    CHECK(run.exit_code == 2);
    CHECK(run.err ==
          "alembic-gate: lint-rules: 'missing-docstrings' is not a lint rule (docs/rules/README.md "
          "lists them)\n");
    run = lint("static", {"--lint-severity", "empty-message=fatal"});
    CHECK(run.exit_code == 2);
    CHECK(run.err ==
          "alembic-gate: lint-severity: 'fatal' for empty-message is not a severity: use error, "
          "warning or notice\n");
  }

  TEST_CASE("examples/blog passes the lint check: justified ignores, two kinds of advice left") {
    GateRun run = lint_at(AG_SOURCE_DIR "/examples/blog");
    INFO(run.err);
    CHECK(run.exit_code == 0);
    nlohmann::json report = run.report();
    std::set<std::string> rules;
    for (const nlohmann::json& finding : report["findings"]) {
      CHECK(finding["severity"] != "error");
      rules.insert(finding["rule"].get<std::string>());
    }
    // Kept on purpose (examples/blog/README.md): serial keys and varchar limits of the first
    // revisions, which a deployed history fixes with new revisions, not by editing old ones.
    CHECK(rules == std::set<std::string>{"prefer-bigint-over-int", "prefer-text-field"});
    CHECK(run.err.find("lint: 2 findings silenced by ignore comments") != std::string::npos);
  }
}

}  // namespace ag::test
