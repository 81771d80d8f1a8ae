// The deploy gate (the pending check) end to end: a real database migrated by plain Alembic to a
// middle revision, rows in its tables, the gate reading it read-only. tests/fixtures/pending/shop
// keeps its version table as audit.shop_versions (env.py's version_table and
// version_table_schema), so a gate that looked for alembic_version would find nothing.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "pg/connection.h"
#include "pg/database_url.h"
#include "process/subprocess.h"
#include "support/postgres.h"
#include "support/run_gate.h"
#include "support/scratch.h"
#include "support/temp_dir.h"
#include "util/file.h"

namespace ag::test {
namespace {

namespace fs = std::filesystem;

const std::string kShop = fixture("pending/shop");

/// Runs the statements of `script` on the database at `url`.
void run_on(const std::string& url, const std::string& script) {
  Status done = connect_to(url).run(script);
  INFO(script);
  REQUIRE_MESSAGE(done.ok(), (done ? "" : done.error().message));
}

/// The first column of `query` on the database at `url`.
std::vector<std::string> values_on(const std::string& url, const std::string& query) {
  Result<pg::QueryResult> result = connect_to(url).exec(query);
  INFO(query);
  REQUIRE_MESSAGE(result.ok(), (result ? "" : result.error().message));
  std::vector<std::string> values;
  for (int row = 0; row < result->rows(); ++row) values.emplace_back(result->text(row, 0));
  return values;
}

/// A fresh database `name` on the test server, with the schema env.py keeps its version table
/// in; returns its URL.
std::string fresh_database(const std::string& name) {
  pg::Connection server = connect_to_server();
  REQUIRE(server.run("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").ok());
  REQUIRE(server.run("CREATE DATABASE " + name).ok());
  std::string url = postgres_url();
  url = url.substr(0, url.rfind('/') + 1) + name;
  run_on(url, "CREATE SCHEMA audit");
  return url;
}

/// Plain Alembic: `alembic -c PROJECT/alembic.ini upgrade TARGET` on the database at `url`.
void alembic_upgrade(const std::string& url, const std::string& target,
                     const std::string& project = kShop) {
  process::Options options;
  options.env["DATABASE_URL"] = url;
  Result<process::Completed> done = process::run(
      {"/usr/bin/python3", "-m", "alembic", "-c", project + "/alembic.ini", "upgrade", target},
      options);
  REQUIRE(done.ok());
  INFO(done->err);
  REQUIRE(done->success());
}

/// The shop at a2 with 50,000 orders, analyzed: a3 (a blocking CREATE INDEX on orders) and a4
/// (whose downgrade raises NotImplementedError) are pending.
std::string shop_at_a2(const std::string& name) {
  std::string url = fresh_database(name);
  alembic_upgrade(url, "a2");
  run_on(url,
         "INSERT INTO orders (customer) SELECT 'c' || g FROM generate_series(1, 50000) g; "
         "ANALYZE orders");
  return url;
}

std::map<std::string, std::string> runner_env(const TempDir& out) {
  return {{"GITHUB_STEP_SUMMARY", (out.path() / "summary.md").string()},
          {"GITHUB_OUTPUT", (out.path() / "outputs.txt").string()}};
}

GateRun gate(const std::string& target, std::vector<std::string> extra = {},
             std::map<std::string, std::string> env = {}, const std::string& project = kShop) {
  std::vector<std::string> args{
      "--format", "json",     "--checks",         "pending,lint",          "--working-directory",
      project,    "--python", "/usr/bin/python3", "--target-database-url", target};
  if (target.empty()) args.resize(args.size() - 2);
  args.insert(args.end(), extra.begin(), extra.end());
  return run_gate(args, env);
}

std::string contents(const fs::path& path) {
  Result<std::string> text = read_file(path);
  REQUIRE_MESSAGE(text.ok(), path.string());
  return *text;
}

std::string described(const std::string& url, const std::string& name) {
  Result<pg::DatabaseUrl> parsed = pg::parse_database_url(url);
  REQUIRE(parsed.ok());
  return parsed->libpq().with_database(name).describe();
}

/// A copy of the shop in a fresh folder, with what the examples' `install` commands need
/// without an index (tests/fixtures/workflow_project: requirements Debian's packages satisfy).
fs::path project_copy(const TempDir& dir) {
  fs::path project = dir.path() / "project";
  fs::copy(kShop, project, fs::copy_options::recursive);
  for (const char* file : {"requirements.txt", "pyproject.toml", "build_backend.py"})
    fs::copy(fixture("workflow_project/") + file, project / file);
  return project;
}

/// What /usr/bin/python3 prints for `args`; the test fails when it fails.
std::string python(std::vector<std::string> args) {
  args.insert(args.begin(), "/usr/bin/python3");
  Result<process::Completed> done = process::run(args);
  REQUIRE(done.ok());
  INFO(done->err);
  REQUIRE(done->success());
  return done->out;
}

/// The alembic-gate step's environment in `workflow`, as tests/workflow_step.py gives it (the
/// runner's reading of the step), with `secret` given for `${{ secrets.NAME }}`.
std::map<std::string, std::string> step_env(const std::string& workflow, const std::string& secret,
                                            const std::string& value) {
  std::string out = python(
      {AG_SOURCE_DIR "/tests/workflow_step.py", "env", "--secret", secret + "=" + value, workflow});
  std::map<std::string, std::string> env;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    env[line.substr(0, line.find('='))] = line.substr(line.find('=') + 1);
  return env;
}

/// A manifest as JSON (PyYAML reads it).
nlohmann::json manifest(const std::string& path) {
  return nlohmann::json::parse(
      python({"-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
              path}));
}

std::string output_of(const fs::path& outputs, const std::string& name) {
  return python({AG_SOURCE_DIR "/tests/workflow_step.py", "output", outputs.string(), name});
}

}  // namespace

TEST_SUITE("pending") {
  TEST_CASE("a database at a middle revision: what will run, its SQL, weighed by table size") {
    std::string url = shop_at_a2("gate_middle");
    std::string database = described(url, "gate_middle");
    TempDir out;
    GateRun run =
        gate(url,
             {"--sql-file", (out.path() / "deploy.sql").string(), "--lint-severity",
              "require-concurrent-index-creation=warning", "--deploy-large-table-rows", "10000"},
             runner_env(out));
    INFO(run.err);
    CHECK(run.exit_code == 1);  // the index build on a table of 50,000 rows
    std::vector<nlohmann::json> pending = run.findings("pending-revisions");
    REQUIRE(pending.size() == 1);
    CHECK(pending[0]["severity"] == "notice");
    CHECK(pending[0]["message"] ==
          "3 revisions will run on " + database + " (from a2): a3, a4, a5");
    std::vector<nlohmann::json> index = run.findings("require-concurrent-index-creation");
    REQUIRE(index.size() == 1);
    CHECK(index[0]["severity"] == "error");
    CHECK(index[0]["file"] ==
          "tests/fixtures/pending/shop/migrations/versions/a3_index_customer.py");
    CHECK(index[0]["line"] == 10);
    std::string message = index[0]["message"];
    CHECK(message.find("blocking every INSERT, UPDATE and DELETE on it meanwhile (on " + database +
                       ": orders has 50 k rows, ") != std::string::npos);
    CHECK(message.ends_with(" MB); an error there: at least deploy-large-table-rows (10000) rows"));
    // a5's downgrade runs nothing here, and so does its upgrade: nothing to undo, no warning.
    std::vector<nlohmann::json> no_way_back = run.findings("pending-no-downgrade");
    REQUIRE(no_way_back.size() == 1);
    CHECK(no_way_back[0]["message"] ==
          "a4 has no way back: its downgrade() raises NotImplementedError");
    CHECK(no_way_back[0]["line"] == 15);
    CHECK(run.report()["findings"].size() == 3);  // a1 and a2 are not linted: they ran already
    nlohmann::json deploy = run.report()["checks"][0]["deploy"];
    CHECK(run.report()["checks"][0]["name"] == "pending");
    CHECK(deploy == nlohmann::json({{"database", database},
                                    {"version_table", "audit.shop_versions"},
                                    {"current", {"a2"}},
                                    {"heads", {"a5"}},
                                    {"pending", {"a3", "a4", "a5"}},
                                    {"no_way_back", {"a4"}}}));
    std::string outputs = contents(out.path() / "outputs.txt");
    CHECK(outputs.find("current-revision=a2\npending-revisions=a3,a4,a5\npending-count=3\n") !=
          std::string::npos);
    std::string summary = contents(out.path() / "summary.md");
    CHECK(summary.find("| " + database +
                       " | <code>audit.shop_versions</code> | <code>a2</code> | "
                       "<code>a5</code> | 3 |") != std::string::npos);
    CHECK(summary.find("| 3 | <code>a5</code> | backfill the channel of legacy shops | ✅ "
                       "downgrade |") != std::string::npos);
    CHECK(summary.find("| 2 | <code>a4</code> | add channel to orders | ⚠️ none |") !=
          std::string::npos);
    CHECK(summary.find("#### SQL the deploy will run") != std::string::npos);
    CHECK(summary.find("#### SQL to review") == std::string::npos);  // not twice
    std::string sql = contents(out.path() / "deploy.sql");
    CHECK(sql.find("-- Revision a3: index orders by customer\n") != std::string::npos);
    CHECK(sql.find("CREATE INDEX ix_orders_customer ON orders (customer);") != std::string::npos);
    CHECK(sql.find("UPDATE audit.shop_versions SET version_num='a3' WHERE "
                   "audit.shop_versions.version_num = 'a2';") != std::string::npos);
    CHECK(sql.find("-- The downgrade's SQL stops here: it raised in offline mode at "
                   "tests/fixtures/pending/shop/migrations/versions/a4_add_channel.py:15: "
                   "NotImplementedError: channel is here to stay") != std::string::npos);
    CHECK(sql.find("-- Revision a2") == std::string::npos);
  }

  TEST_CASE("below deploy-large-table-rows the size is said and the severity kept") {
    std::string url = shop_at_a2("gate_small");
    GateRun run = gate(url, {"--lint-severity", "require-concurrent-index-creation=warning"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    std::vector<nlohmann::json> index = run.findings("require-concurrent-index-creation");
    REQUIRE(index.size() == 1);
    CHECK(index[0]["severity"] == "warning");
    std::string message = index[0]["message"];
    CHECK(message.find(": orders has 50 k rows, ") != std::string::npos);
    CHECK(message.ends_with(" MB)"));
  }

  TEST_CASE("a partitioned table weighs what its partitions hold") {
    TempDir project;
    fs::copy(kShop, project.path(), fs::copy_options::recursive);
    std::ofstream(project.path() / "migrations/versions/a6_index_events.py")
        << "\"\"\"index events by id\"\"\"\nfrom alembic import op\n\nrevision = 'a6'\n"
           "down_revision = 'a5'\n\n\ndef upgrade():\n    op.execute(\"SET lock_timeout = "
           "'5s'\")\n    op.create_index('ix_events_id', 'events', ['id'])\n\n\ndef "
           "downgrade():\n    op.drop_index('ix_events_id', table_name='events')\n";
    std::string url = fresh_database("gate_partitions");
    alembic_upgrade(url, "a5", project.path().string());
    run_on(url,
           "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at); CREATE TABLE "
           "events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01'); "
           "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO "
           "('2027-01-01'); INSERT INTO events SELECT g, date '2025-06-01' + g % 400 FROM "
           "generate_series(1, 30000) g; ANALYZE");
    GateRun run = gate(url,
                       {"--deploy-large-table-rows", "20000", "--lint-severity",
                        "require-concurrent-index-creation=warning"},
                       {}, project.path().string());
    INFO(run.err);
    std::vector<nlohmann::json> index = run.findings("require-concurrent-index-creation");
    REQUIRE(index.size() == 1);
    std::string message = index[0]["message"];
    CHECK(message.find(": events has 30 k rows, ") != std::string::npos);  // 16 k + 14 k
    CHECK(message.ends_with("an error there: at least deploy-large-table-rows (20000) rows"));
  }

  TEST_CASE("nothing pending is a clean pass") {
    std::string url = fresh_database("gate_at_head");
    alembic_upgrade(url, "head");
    TempDir out;
    GateRun run = gate(url, {}, runner_env(out));
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.report()["findings"].empty());
    CHECK(contents(out.path() / "outputs.txt")
              .find("current-revision=a5\npending-revisions=\npending-count=0\n") !=
          std::string::npos);
    CHECK(
        contents(out.path() / "summary.md").find("Nothing to run: the database is at the heads.") !=
        std::string::npos);
  }

  TEST_CASE("a database with no version table yet: every revision is pending") {
    std::string url = fresh_database("gate_empty");
    GateRun run = gate(url, {"--lint-rules", "-require-concurrent-index-creation"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    std::vector<nlohmann::json> pending = run.findings("pending-revisions");
    REQUIRE(pending.size() == 1);
    CHECK(pending[0]["message"] == "5 revisions will run on " + described(url, "gate_empty") +
                                       " (from an empty version table): a1, a2, a3, a4, a5");
    CHECK(run.err.find("has no version table audit.shop_versions: no revision applied yet") !=
          std::string::npos);
  }

  TEST_CASE("a revision this history does not have is an error, and nothing is judged pending") {
    std::string url = fresh_database("gate_unknown");
    alembic_upgrade(url, "a2");
    run_on(url, "UPDATE audit.shop_versions SET version_num = 'f00dfeed'");
    GateRun run = gate(url);
    INFO(run.err);
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> unknown = run.findings("pending-unknown-revision");
    REQUIRE(unknown.size() == 1);
    CHECK(unknown[0]["message"] ==
          described(url, "gate_unknown") +
              " is at revision f00dfeed (audit.shop_versions), which this history does not "
              "have: it was migrated from code that is not here; `alembic upgrade head` fails "
              "there with \"Can't locate revision identified by 'f00dfeed'\"");
    CHECK(run.findings("pending-revisions").empty());
    CHECK(run.report()["checks"][0]["deploy"]["pending"].is_null());
  }

  TEST_CASE("a history with two heads fails the gate") {
    TempDir project;
    fs::copy(kShop, project.path(), fs::copy_options::recursive);
    std::ofstream(project.path() / "migrations/versions/b3_other_branch.py")
        << "\"\"\"other branch\"\"\"\nrevision = 'b3'\ndown_revision = 'a2'\n\n\n"
           "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n";
    std::string url = fresh_database("gate_two_heads");
    alembic_upgrade(url, "a2", project.path().string());
    GateRun run = gate(url, {"--checks", "pending"}, {}, project.path().string());
    INFO(run.err);
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> heads = run.findings("pending-multiple-heads");
    REQUIRE(heads.size() == 1);
    CHECK(heads[0]["message"] ==
          "the history has 2 heads (a5, b3): `alembic upgrade head` refuses to run");
  }

  TEST_CASE("an unreachable database is exit 3, naming the server") {
    GateRun run = gate("postgresql://postgres@127.0.0.1:1/shop", {"--connect-timeout", "1"});
    CHECK(run.exit_code == 3);
    std::vector<nlohmann::json> failed = run.findings("infrastructure");
    REQUIRE(failed.size() == 1);
    CHECK(failed[0]["check"] == "pending");
    CHECK(std::string(failed[0]["message"]).find("127.0.0.1:1") != std::string::npos);
  }

  TEST_CASE("a role without SELECT on the version table: exit 3 and the GRANT it needs") {
    std::string url = fresh_database("gate_no_select");
    alembic_upgrade(url, "a2");
    pg::Connection server = connect_to_server();
    REQUIRE(server
                .run("DROP ROLE IF EXISTS gate_blind; CREATE ROLE gate_blind LOGIN; GRANT "
                     "CONNECT ON DATABASE gate_no_select TO gate_blind")
                .ok());
    std::string blind = "postgresql://gate_blind@" + url.substr(url.find('@') + 1);
    GateRun run = gate(blind);
    INFO(run.err);
    CHECK(run.exit_code == 3);
    std::vector<nlohmann::json> failed = run.findings("infrastructure");
    REQUIRE(failed.size() == 1);
    std::string message = failed[0]["message"];
    CHECK(message.find("cannot read the version table audit.shop_versions on ") !=
          std::string::npos);
    CHECK(message.find("permission denied for schema audit") != std::string::npos);
    CHECK(message.find("the gate's role needs `GRANT SELECT ON audit.shop_versions TO "
                       "gate_blind` and `GRANT USAGE ON SCHEMA audit TO gate_blind`") !=
          std::string::npos);

    // The common case: alembic_version in public, which every role may use, and no SELECT.
    std::string blog_url = fresh_database("gate_blog_no_select");
    alembic_upgrade(blog_url, "head", AG_SOURCE_DIR "/examples/blog");
    std::string blog_blind = "postgresql://gate_blind@" + blog_url.substr(blog_url.find('@') + 1);
    GateRun blog = gate(blog_blind, {"--checks", "pending"}, {}, AG_SOURCE_DIR "/examples/blog");
    INFO(blog.err);
    CHECK(blog.exit_code == 3);
    std::vector<nlohmann::json> refused = blog.findings("infrastructure");
    REQUIRE(refused.size() == 1);
    CHECK(std::string(refused[0]["message"])
              .find("cannot read the version table public.alembic_version on ") !=
          std::string::npos);
    CHECK(std::string(refused[0]["message"])
              .find("permission denied for table alembic_version (SQLSTATE 42501); the gate's "
                    "role needs `GRANT "
                    "SELECT ON public.alembic_version TO gate_blind`; the check could not run") !=
          std::string::npos);
  }

  TEST_CASE("the gate writes nothing: the dump and the write counters are the same after it") {
    std::string url = shop_at_a2("gate_read_only");
    pg::Connection server = connect_to_server();
    // The least a gate can have: CONNECT, and SELECT on the version table; no write anywhere.
    REQUIRE(server
                .run("DROP ROLE IF EXISTS gate_reader; CREATE ROLE gate_reader LOGIN; GRANT "
                     "CONNECT ON DATABASE gate_read_only TO gate_reader")
                .ok());
    run_on(url,
           "GRANT USAGE ON SCHEMA audit TO gate_reader; GRANT SELECT ON "
           "audit.shop_versions TO gate_reader");
    // No autovacuum meanwhile: its ANALYZE writes pg_statistic, which the counters would show.
    run_on(url,
           "ALTER TABLE orders SET (autovacuum_enabled = off); ALTER TABLE audit.shop_versions "
           "SET (autovacuum_enabled = off)");
    run_on(url, "VACUUM ANALYZE");
    auto dump = [&] {
      Result<process::Completed> done = process::run({"pg_dump", "--dbname", url});
      REQUIRE(done.ok());
      REQUIRE(done->success());
      // pg_dump 15.14 and later fence the dump with a random key of its own.
      return std::regex_replace(done->out, std::regex(R"(\\(un)?restrict [A-Za-z0-9]+\n)"), "");
    };
    // The database's write counters, once they stand still: a session's counts reach them when
    // it ends, a moment after its client has gone.
    auto writes = [&] {
      std::vector<std::string> last;
      for (int tries = 0; tries < 50; ++tries) {
        std::vector<std::string> now =
            values_on(postgres_url(),
                      "SELECT tup_inserted || ' ' || tup_updated || ' ' || tup_deleted FROM "
                      "pg_stat_database WHERE datname = 'gate_read_only'");
        if (now == last) return now;
        last = now;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      return last;
    };
    std::string before = dump();
    std::vector<std::string> written_before = writes();
    // The owner (a superuser, who could write anything), then the least role that works.
    std::string reader = "postgresql://gate_reader@" + url.substr(url.find('@') + 1);
    for (const std::string& target : {url, reader}) {
      CAPTURE(target);
      GateRun run = gate(target);
      INFO(run.err);
      CHECK(run.exit_code == 1);  // a3's index build: an error by default
      CHECK(run.findings("pending-revisions").size() == 1);
      CHECK(dump() == before);
      CHECK(writes() == written_before);
    }
  }

  TEST_CASE("the target's settings: required with pending, a variable that must hold it") {
    GateRun missing = gate("");
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("the pending check needs the database the deploy migrates") !=
          std::string::npos);
    GateRun bad_name = gate("", {"--target-database-url-env", "1NOPE"});
    CHECK(bad_name.exit_code == 2);
    CHECK(bad_name.err.find("target-database-url-env: '1NOPE' is no name of an environment "
                            "variable") != std::string::npos);
    GateRun unset = gate("", {"--target-database-url-env", "GATE_TARGET"});
    CHECK(unset.exit_code == 2);
    CHECK(unset.err.find("target-database-url-env names GATE_TARGET, which is not set or empty in "
                         "the environment: set it from a secret in the step's `env:`") !=
          std::string::npos);
    std::string url = shop_at_a2("gate_from_env");
    GateRun from_env =
        gate("", {"--target-database-url-env", "GATE_TARGET"}, {{"GATE_TARGET", url}});
    CHECK(from_env.findings("pending-revisions").size() == 1);
  }

  TEST_CASE(
      "examples/deploy/github-deploy.yml: the gate as the runner runs it, then the migration") {
    std::string workflow = AG_SOURCE_DIR "/examples/deploy/github-deploy.yml";
    std::string url = fresh_database("gate_workflow");
    alembic_upgrade(url, "a3");  // a4 is pending: no way back, a warning only
    TempDir workspace;
    fs::path project = project_copy(workspace);
    std::map<std::string, std::string> env =
        step_env(workflow, "PRODUCTION_DATABASE_URL_READONLY", url);
    CHECK(env["INPUT_CHECKS"] == "heads,pending,lint");
    CHECK(env["PRODUCTION_DATABASE_URL"] == url);
    env["GITHUB_ACTIONS"] = "true";  // what the runner adds
    env["GITHUB_OUTPUT"] = (workspace.path() / "outputs.txt").string();
    env["GITHUB_STEP_SUMMARY"] = (workspace.path() / "summary.md").string();
    // The runner starts the step in the workspace; here the project's copy is named instead.
    GateRun run = run_gate({"--working-directory", project.string()}, env);
    INFO(run.out);
    INFO(run.err);
    CHECK(run.exit_code == 0);
    fs::path outputs = workspace.path() / "outputs.txt";
    CHECK(output_of(outputs, "current-revision") == "a3\n");
    CHECK(output_of(outputs, "pending-revisions") == "a4,a5\n");
    CHECK(output_of(outputs, "pending-count") == "2\n");
    CHECK(fs::exists(project / "migration.sql"));
    CHECK(run.err.find("::group::install: pip install -r requirements.txt") != std::string::npos);
    // The Migrate step: its script runs `alembic upgrade head` with the read-write secret.
    std::string script =
        python({AG_SOURCE_DIR "/tests/workflow_step.py", "run", workflow, "Migrate"});
    CHECK(script.find("alembic upgrade head") != std::string::npos);
    alembic_upgrade(url, "head", project.string());
    fs::remove(outputs);
    GateRun again = run_gate({"--working-directory", project.string()}, env);
    CHECK(again.exit_code == 0);
    CHECK(output_of(outputs, "pending-count") == "0\n");
  }

  TEST_CASE("examples/deploy/kubernetes/migrate-job.yaml: the gate container, then the migration") {
    nlohmann::json job = manifest(AG_SOURCE_DIR "/examples/deploy/kubernetes/migrate-job.yaml");
    CHECK(job["kind"] == "Job");
    CHECK(job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade");
    const nlohmann::json& pod = job["spec"]["template"]["spec"];
    nlohmann::json gate_container, migrate;
    for (const nlohmann::json& c : pod["initContainers"])
      if (c["name"] == "gate") gate_container = c;
    for (const nlohmann::json& c : pod["containers"])
      if (c["name"] == "migrate") migrate = c;
    REQUIRE(gate_container.is_object());
    REQUIRE(migrate.is_object());
    std::vector<std::string> command = gate_container["command"];
    REQUIRE(command.front() == "alembic-gate");
    std::string variable = gate_container["env"][0]["name"];
    CHECK(gate_container["env"][0]["valueFrom"]["secretKeyRef"]["key"] == "readonly-url");

    std::string url = shop_at_a2("gate_kubernetes");
    TempDir dir;
    fs::path project = project_copy(dir);
    // The container's command, with the project's copy as its workingDir and a JSON report.
    std::vector<std::string> args(command.begin() + 1, command.end());
    args.insert(args.end(), {"--working-directory", project.string(), "--format", "json"});
    GateRun blocked = run_gate(args, {{variable, url}});
    INFO(blocked.err);
    CHECK(blocked.exit_code == 1);  // a3's CREATE INDEX on orders blocks writes: no migration
    CHECK(blocked.findings("require-concurrent-index-creation").size() == 1);
    CHECK(blocked.findings("pending-revisions").size() == 1);

    alembic_upgrade(url, "a3");  // the index built another way; a4 is left
    GateRun passes = run_gate(args, {{variable, url}});
    CHECK(passes.exit_code == 0);
    CHECK(passes.findings("pending-no-downgrade").size() == 1);
    // The migrate container: `alembic upgrade head` with the read-write URL.
    CHECK(migrate["command"] == nlohmann::json({"alembic", "upgrade", "head"}));
    CHECK(migrate["env"][0]["name"] == "DATABASE_URL");
    alembic_upgrade(url, "head", project.string());
    GateRun done = run_gate(args, {{variable, url}});
    CHECK(done.exit_code == 0);
    CHECK(done.report()["findings"].empty());
  }
}

}  // namespace ag::test
