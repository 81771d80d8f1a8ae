// The Python worker through its C++ client: the protocol against real Alembic and PostgreSQL.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "alembic/worker.h"
#include "catalog/catalog_facts.h"
#include "pg/database_url.h"
#include "pg/scratch_database.h"
#include "support/postgres.h"
#include "support/python_versions.h"
#include "support/run_gate.h"
#include "support/scratch.h"
#include "support/temp_dir.h"
#include "util/file.h"

namespace ag::test {
namespace {

// Run in every cell of the version matrix too (tests/README.md).
const doctest::test_suite kEveryVersion("worker: every version");

struct Scratch {
  pg::ScratchDatabase database;
  alembic::WorkerOptions options;
};

/// A scratch database and the options of a worker on `project`, a fixture of `folder`.
Scratch scratch_for(std::string_view project, std::string_view folder = "roundtrip") {
  Result<pg::DatabaseUrl> url = pg::parse_database_url(postgres_url());
  REQUIRE(url.ok());
  Result<pg::ScratchDatabase> database = pg::ScratchDatabase::create(*url);
  REQUIRE(database.ok());
  alembic::WorkerOptions options;
  options.project_dir = fixture(std::string(folder) + "/" + std::string(project));
  options.config_file = options.project_dir / "alembic.ini";
  options.url = database->python_url();
  options.url_env = {"DATABASE_URL"};
  return {std::move(*database), options};
}

/// A worker started as a Sandbox starts it: its interpreter launched first (whose process,
/// when it started, is put in `launched_pid`).
Result<alembic::Worker> start_launched(const alembic::WorkerOptions& options,
                                       pid_t* launched_pid = nullptr) {
  alembic::WorkerLaunch launch = alembic::WorkerLaunch::begin(options.python, options.project_dir);
  if (launched_pid != nullptr) *launched_pid = launch.pid();
  return alembic::Worker::start(options, std::move(launch));
}

}  // namespace

TEST_SUITE("worker") {
  TEST_CASE("revisions, steps and queries on the migration connection" * kEveryVersion) {
    Scratch scratch = scratch_for("linear_ok");
    Result<alembic::Worker> started = alembic::Worker::start(scratch.options);
    REQUIRE(started.ok());
    alembic::Worker& worker = *started;
    CHECK(worker.versions().alembic.size() > 0);

    Result<std::vector<alembic::RevisionInfo>> revisions = worker.revisions();
    REQUIRE(revisions.ok());
    REQUIRE(revisions->size() == 4);
    CHECK((*revisions)[0].id == "140a37e59b3f");
    CHECK((*revisions)[0].down_revisions.empty());
    CHECK((*revisions)[1].down_revisions == std::vector<std::string>{"140a37e59b3f"});
    CHECK((*revisions)[0].doc == "create author table");

    Result<std::vector<std::string>> heads = worker.open();
    REQUIRE(heads.ok());
    CHECK(heads->empty());
    Result<alembic::StepDone> up = worker.step("140a37e59b3f", alembic::Direction::up);
    REQUIRE(up.ok());
    Result<std::vector<std::string>> current = worker.current();
    REQUIRE(current.ok());
    CHECK(*current == std::vector<std::string>{"140a37e59b3f"});
    Result<alembic::Rows> rows = worker.query("select version_num from alembic_version");
    REQUIRE(rows.ok());
    CHECK(rows->columns == std::vector<std::string>{"version_num"});
    REQUIRE(rows->rows.size() == 1);
    CHECK(rows->rows[0][0] == std::optional<std::string>("140a37e59b3f"));
    Result<alembic::StepDone> down = worker.step("140a37e59b3f", alembic::Direction::down);
    REQUIRE(down.ok());
    current = worker.current();
    REQUIRE(current.ok());
    CHECK(current->empty());
    CHECK(worker.close().ok());
  }

  TEST_CASE(
      "roundtrip with capture: what the upgrade ran, each at its line, a batch_op at its "
      "own, placeholders as $n, autocommit_block()'s ends as COMMIT and BEGIN" *
      kEveryVersion) {
    Scratch scratch = scratch_for("captured", "lint");
    Result<alembic::Worker> started = alembic::Worker::start(scratch.options);
    REQUIRE(started.ok());
    alembic::Worker& worker = *started;
    REQUIRE(worker.open().ok());
    catalog::SnapshotOptions reading;
    alembic::RoundTripRequest first{
        .revision = "5a0000000001",
        .define = {catalog::relation_facts_function(reading, "ag_read_whole", false),
                   catalog::relation_facts_function(reading, "ag_read_touched", true)},
        .capture = true};
    Result<alembic::RoundTripDone> created = worker.roundtrip(first);
    REQUIRE(created.ok());
    REQUIRE(created->ran.size() == 1);
    CHECK(created->ran[0].sql.starts_with("\nCREATE TABLE t ("));
    CHECK(created->ran[0].line == 18);
    Result<alembic::RoundTripDone> done =
        worker.roundtrip({.revision = "5a0000000002", .capture = true});
    REQUIRE(done.ok());
    std::vector<std::string> ran;
    for (const alembic::EmittedSql& statement : done->ran) {
      CHECK(statement.revision == "5a0000000002");
      CHECK((statement.origin == alembic::SqlOrigin::revision) == (statement.line > 0));
      ran.push_back(std::to_string(statement.line) + " " + statement.sql);
    }
    CHECK(ran == std::vector<std::string>{
                     "18 ALTER TABLE t ADD COLUMN a TEXT",
                     "20 ALTER TABLE t ADD COLUMN b TEXT",
                     "21 UPDATE t SET a = $1 WHERE a LIKE '50%'",
                     "0 COMMIT",
                     "23 CREATE INDEX CONCURRENTLY ix_t_a ON t (a)",
                     "0 BEGIN",
                 });
    CHECK(worker.close().ok());
  }

  TEST_CASE("a failing step ends the session with the error at its line, the next open works" *
            kEveryVersion) {
    Scratch scratch = scratch_for("upgrade_fails");
    Result<alembic::Worker> worker = alembic::Worker::start(scratch.options);
    REQUIRE(worker.ok());
    Result<std::vector<alembic::RevisionInfo>> revisions = worker->revisions();
    REQUIRE(revisions.ok());
    REQUIRE(worker->open().ok());
    Error failure;
    for (const alembic::RevisionInfo& revision : *revisions) {
      Result<alembic::StepDone> done = worker->step(revision.id, alembic::Direction::up);
      if (!done) {
        failure = done.error();
        break;
      }
    }
    CHECK(failure.message.find("IntegrityError") != std::string::npos);
    CHECK(failure.kind == "IntegrityError");
    CHECK_FALSE(alembic::is_alembic_incompatibility(failure));
    CHECK(failure.message.find("(SQLSTATE 23502)") != std::string::npos);
    CHECK(failure.where.ends_with("a222a95716f9_make_account_email_required.py"));
    CHECK(failure.line == 20);
    CHECK(failure.detail.find("Traceback") != std::string::npos);
    Result<std::vector<std::string>> reopened = worker->open();
    REQUIRE(reopened.ok());
    CHECK(reopened->size() == 1);  // the revisions before the failing one stay applied
    CHECK(worker->close().ok());
  }

  TEST_CASE("an Alembic incompatibility is told by the exception's class, not by its text") {
    CHECK(alembic::is_alembic_incompatibility(Error{
        "AlembicIncompatible: Alembic 9.0 has no RevisionStep", "", 0, "", "AlembicIncompatible"}));
    // A message quoting one (a log line, a project's own error) is not one.
    CHECK_FALSE(alembic::is_alembic_incompatibility(
        Error{"AlembicIncompatible: Alembic 9.0 has no RevisionStep", "", 0, "", "RuntimeError"}));
    CHECK_FALSE(alembic::is_alembic_incompatibility(Error{"AlembicIncompatible: quoted"}));
  }

  TEST_CASE("an Alembic without RevisionStep: a step and an offline run say so, as such" *
            kEveryVersion) {
    // The fixture's env.py deletes alembic.runtime.migration.RevisionStep, as a release might.
    Scratch scratch = scratch_for("alembic_changed_steps", "drift");
    Result<alembic::Worker> worker = alembic::Worker::start(scratch.options);
    REQUIRE(worker.ok());
    Result<std::vector<alembic::RevisionInfo>> revisions = worker->revisions();
    REQUIRE(revisions.ok());
    REQUIRE(worker->open().ok());
    Result<alembic::StepDone> step = worker->step(revisions->front().id, alembic::Direction::up);
    REQUIRE_FALSE(step.ok());
    CHECK(alembic::is_alembic_incompatibility(step.error()));
    CHECK(step.error().message.find(" has no alembic.runtime.migration.RevisionStep, which "
                                    "alembic-gate uses as `alembic upgrade` does") !=
          std::string::npos);

    Result<alembic::OfflineSql> offline = worker->offline_sql({revisions->front().id});
    REQUIRE_FALSE(offline.ok());
    CHECK(alembic::is_alembic_incompatibility(offline.error()));
    CHECK(offline.error().message.find(" has no alembic.runtime.migration.RevisionStep, which "
                                       "alembic-gate uses as `alembic upgrade --sql` does") !=
          std::string::npos);
  }

  TEST_CASE("a python3 on PATH that cannot run the worker: /usr/bin/python3 is tried next") {
    TempDir bin;
    std::filesystem::path fake = bin.write("python3",
                                           "#!/bin/sh\n"
                                           "echo 'SyntaxError: invalid syntax' >&2\n"
                                           "exit 1\n");
    std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
    struct RestorePath {
      std::string saved = std::getenv("PATH");
      ~RestorePath() { setenv("PATH", saved.c_str(), 1); }
    } restore;
    std::string path = bin.path().string() + ":" + restore.saved;
    REQUIRE(setenv("PATH", path.c_str(), 1) == 0);
    Scratch scratch = scratch_for("linear_ok");
    Result<alembic::Worker> worker = alembic::Worker::start(scratch.options);
    REQUIRE(worker.ok());
    CHECK(worker->versions().interpreter == "/usr/bin/python3");
  }

  TEST_CASE("a python setting that never answers is stopped after hello_timeout, named") {
    TempDir bin;
    std::filesystem::path silent = bin.write("python", "#!/bin/sh\nexec sleep 600\n");
    std::filesystem::permissions(silent, std::filesystem::perms::owner_all);
    Scratch scratch = scratch_for("linear_ok");
    scratch.options.python = silent.string();
    scratch.options.hello_timeout = std::chrono::seconds(2);
    Result<alembic::Worker> worker = alembic::Worker::start(scratch.options);
    REQUIRE_FALSE(worker.ok());
    CHECK(worker.error().message ==
          "timed out after 2 s while waiting for " + silent.string() +
              " to start the worker (is it a Python 3 interpreter?); the worker was stopped");
  }

  TEST_CASE("a worker launched ahead of its database is the one started") {
    Scratch scratch = scratch_for("linear_ok");
    scratch.options.python = "/usr/bin/python3";
    pid_t launched = 0;
    Result<alembic::Worker> worker = start_launched(scratch.options, &launched);
    REQUIRE(worker.ok());
    CHECK(launched != 0);
    CHECK(worker->pid() == launched);  // not a second process
    CHECK(worker->versions().interpreter == "/usr/bin/python3");
    Result<std::vector<alembic::RevisionInfo>> revisions = worker->revisions();
    REQUIRE(revisions.ok());
    CHECK(revisions->size() == 4);
  }

  TEST_CASE("a launch that could not start its interpreter is reported by start") {
    Scratch scratch = scratch_for("linear_ok");
    scratch.options.python = "/nonexistent/python3";
    Result<alembic::Worker> worker = start_launched(scratch.options);
    REQUIRE_FALSE(worker.ok());
    CHECK(worker.error().message.find("/nonexistent/python3: ") != std::string::npos);
  }

  TEST_CASE("no interpreter with Alembic: an error saying what to install") {
    Scratch scratch = scratch_for("linear_ok");
    scratch.options.python = "/nonexistent/python3";
    Result<alembic::Worker> worker = alembic::Worker::start(scratch.options);
    REQUIRE_FALSE(worker.ok());
    CHECK(worker.error().message.starts_with(
        "no Python interpreter that can import Alembic and SQLAlchemy"));
    CHECK(worker.error().message.find("apt-get install python3-alembic") != std::string::npos);
  }

  TEST_CASE("the version matrix: a cell runs with the Alembic and SQLAlchemy it names" *
            kEveryVersion) {
    // Set by CMakeLists.txt for each cell (a prefix: "Alembic 1.19.1, SQLAlchemy 1.4." takes
    // whichever 1.4 Debian has); the native run (Debian's packages) sets none.
    const char* cell = std::getenv("AG_MATRIX_CELL");
    std::string python_path = std::getenv("PYTHONPATH") ? std::getenv("PYTHONPATH") : "(unset)";
    std::string imported = versions_in_log();
    INFO("PYTHONPATH: ", python_path, "; Python imports ", imported);
    if (cell != nullptr) {
      CHECK(imported.starts_with(cell));
    } else {
      CHECK(!python_versions().alembic.empty());
      CHECK(!python_versions().sqlalchemy.empty());
    }
  }

  TEST_CASE("psycopg 3 (postgresql+psycopg://) on SQLAlchemy 2.0, on 1.4 an error naming it" *
            kEveryVersion) {
    // The driver the project names in alembic.ini is the one env.py gets; the revision checks it.
    TempDir dir;
    one_revision_project(dir.path(),
                         "import sqlalchemy as sa\nfrom alembic import op\n"
                         "revision = 'a1'\ndown_revision = None\n\n"
                         "def upgrade():\n"
                         "    assert op.get_bind().dialect.driver == 'psycopg'\n"
                         "    op.create_table('note', sa.Column('id', sa.BigInteger(), "
                         "primary_key=True))\n\n"
                         "def downgrade():\n    op.drop_table('note')\n");
    Result<std::string> ini = read_file(dir.path() / "alembic.ini");
    REQUIRE(ini);
    std::string plain = "postgresql://postgres@localhost";
    ini->replace(ini->find(plain), plain.size(), "postgresql+psycopg://postgres@localhost");
    dir.write("alembic.ini", *ini);
    GateRun run = run_gate({"--format", "json", "--checks", "roundtrip", "--database-url",
                            postgres_url(), "--working-directory", dir.path().string()});
    INFO(run.err);
    if (at_least(python_versions().sqlalchemy, 2, 0)) {
      CHECK(run.exit_code == 0);
      CHECK(run.report()["findings"].empty());
      CHECK(run.report()["checks"][0]["revisions"].size() == 1);
    } else {  // SQLAlchemy 1.4 has no psycopg 3 dialect: env.py cannot connect, and says so
      CHECK(run.exit_code != 0);
      CHECK(run.err.find("postgresql.psycopg") != std::string::npos);
    }
    check_scratch_dropped(run);
  }
}

}  // namespace ag::test
