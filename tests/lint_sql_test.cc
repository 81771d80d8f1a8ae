// The SQL half of the lint check end to end: real Alembic (Debian's, under /usr/bin/python3 or
// python3) renders each fixture project's upgrade SQL offline, libpg_query reads it, and the
// findings point at the line of the `op.` call. No database is needed. Fixtures:
// tests/fixtures/lint_sql (README.md there lists what each project holds).
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <filesystem>

#include "checks/lint/migration_file.h"
#include "checks/lint/sql_lint.h"
#include "checks/registry/registry.h"
#include "config/command_line.h"
#include "config/resolve.h"
#include "graph/revision_graph.h"
#include "support/run_gate.h"

namespace ag::test {
namespace {

// Run in every cell of the version matrix too (tests/README.md).
const doctest::test_suite kEveryVersion("lint_sql: every version");

struct Linted {
  Findings findings;
  std::string log;
};

/// lint_sql on fixture project `name` for `revisions` (in upgrade order), as the lint check
/// would call it.
Linted lint_fixture(const std::string& name, const std::vector<std::string>& revisions) {
  std::string folder = fixture("lint_sql/" + name);
  const char* argv[] = {"alembic-gate", "--working-directory", folder.c_str()};
  Result<config::CommandLine> command_line = config::parse_command_line(3, argv);
  REQUIRE(command_line.ok());
  Result<config::Settings> settings = config::resolve_settings(
      command_line->values, [](const std::string&) { return std::nullopt; },
      checks::registry::check_names());
  REQUIRE(settings.ok());
  Result<project::Project> project =
      project::discover(*settings, project::find_repository_root(settings->working_directory, ""));
  REQUIRE(project.ok());
  graph::RevisionGraph graph(graph::read_revision_scripts(project->revision_files));
  Linted out;
  LogLine log = [&out](const std::string& line) { out.log += line + "\n"; };
  sandbox::Workspace workspace(*settings, *project, log);
  config::Environment no_environment = [](const std::string&) { return std::nullopt; };
  checks::CheckContext context{*settings, *project, graph, workspace, log, no_environment};
  // The sources the lint check hands over: each revision's file, read as it reads them.
  std::vector<std::unique_ptr<checks::lint::MigrationFile>> files;
  checks::lint::RevisionSources sources;
  for (const graph::RevisionScript& script : graph.scripts()) {
    Result<std::unique_ptr<checks::lint::MigrationFile>> file =
        checks::lint::MigrationFile::read(script.path);
    REQUIRE(file.ok());
    sources[script.id()] = file->get();
    files.push_back(std::move(*file));
  }
  out.findings = checks::lint::lint_sql(context, revisions, sources, false).findings;
  return out;
}

/// The worker's offline request on fixture project `name`, as lint_sql makes it.
Result<alembic::OfflineSql> offline_sql(const std::string& name,
                                        const std::vector<std::string>& revisions) {
  alembic::WorkerOptions options;
  options.project_dir = fixture("lint_sql/" + name);
  options.config_file = options.project_dir / "alembic.ini";
  options.url = "postgresql://alembic-gate@127.0.0.1:1/offline";
  Result<alembic::Worker> worker = alembic::Worker::start(options);
  if (!worker) return worker.error();
  return worker->offline_sql(revisions);
}

std::string version_file(const std::string& project, const std::string& file) {
  return "tests/fixtures/lint_sql/" + project + "/migrations/versions/" + file;
}

/// "rule@file-stem:line" for each finding, to compare whole sets at once.
std::vector<std::string> placed(const Findings& findings) {
  std::vector<std::string> out;
  for (const Finding& finding : findings) {
    std::string stem = std::filesystem::path(finding.file).stem().string().substr(0, 12);
    out.push_back(finding.rule + "@" + stem + ":" + std::to_string(finding.line));
  }
  return out;
}

const Finding& only(const Findings& findings, std::string_view rule, std::string_view revision) {
  const Finding* found = nullptr;
  for (const Finding& finding : findings) {
    if (finding.rule != rule || finding.revision != revision) continue;
    REQUIRE_MESSAGE(found == nullptr, "more than one ", rule, " in ", revision);
    found = &finding;
  }
  REQUIRE_MESSAGE(found != nullptr, "no ", rule, " in ", revision);
  return *found;
}

/// Every revision of tests/fixtures/lint_sql/unsafe, and of rules (the tables, every rule, every
/// safe form, autogenerate's drop of a table, batch operations): both number their five alike.
const std::vector<std::string> kFiveRevisions = {"1a2b3c4d5e01", "2b3c4d5e6f02", "3c4d5e6f7a03",
                                                 "4d5e6f7a8b04", "5e6f7a8b9c05"};

}  // namespace

TEST_SUITE("lint_sql") {
  TEST_CASE("worker offline: each printed text with its revision, origin and line" *
            kEveryVersion) {
    Result<alembic::OfflineSql> sql =
        offline_sql("lock_timeout_env", {"1a2b3c4d5e01", "6f7a8b9c0d06"});
    REQUIRE(sql.ok());
    CHECK(sql->failures.empty());
    std::vector<std::string> seen;
    for (const alembic::EmittedSql& emitted : sql->statements) {
      std::string_view origin = emitted.origin == alembic::SqlOrigin::revision ? "revision"
                                : emitted.origin == alembic::SqlOrigin::env    ? "env"
                                                                               : "alembic";
      std::string first_line = emitted.sql.substr(0, emitted.sql.find_first_of("(\n"));
      seen.push_back(
          fmt::format("{} {} {} {}", emitted.revision, origin, emitted.line, first_line));
    }
    CHECK(seen ==
          std::vector<std::string>{
              " env 19 BEGIN;",
              " env 20 SET lock_timeout = '5s';",
              "1a2b3c4d5e01 alembic 0 CREATE TABLE alembic_version ",
              "1a2b3c4d5e01 alembic 0 -- Running upgrade  -> 1a2b3c4d5e01",
              "1a2b3c4d5e01 revision 20 CREATE TABLE account ",
              "1a2b3c4d5e01 alembic 0 INSERT INTO alembic_version ",
              "6f7a8b9c0d06 alembic 0 -- Running upgrade 1a2b3c4d5e01 -> 6f7a8b9c0d06",
              "6f7a8b9c0d06 revision 20 ALTER TABLE account DROP COLUMN name;",
              "6f7a8b9c0d06 revision 21 CREATE INDEX ix_account_email ON account ",
              "6f7a8b9c0d06 alembic 0 UPDATE alembic_version SET version_num='6f7a8b9c0d06' "
              "WHERE alembic_version.version_num = '1a2b3c4d5e01';",
              " env 19 COMMIT;",
          });
  }

  TEST_CASE("lint_sql: each dangerous op. call is reported on its own line, the safe ones not") {
    Linted linted = lint_fixture("unsafe", kFiveRevisions);
    INFO(linted.log);
    CHECK(placed(linted.findings) == std::vector<std::string>{
                                         "prefer-text-field@1a2b3c4d5e01:20",
                                         "require-concurrent-index-creation@2b3c4d5e6f02:20",
                                         "require-lock-timeout@2b3c4d5e6f02:20",
                                         "concurrently-in-transaction@3c4d5e6f7a03:27",
                                         "adding-required-field@4d5e6f7a8b04:20",
                                         "require-lock-timeout@4d5e6f7a8b04:20",
                                         "changing-column-type@4d5e6f7a8b04:21",
                                         "ban-drop-column@5e6f7a8b9c05:20",
                                         "require-lock-timeout@5e6f7a8b9c05:20",
                                         "adding-foreign-key-constraint@5e6f7a8b9c05:21",
                                     });
    CHECK(linted.log.find("lint: SQL of 5 revisions (5 in scope, 26 texts printed) read offline") !=
          std::string::npos);
  }

  TEST_CASE("lint_sql: create_index without concurrently on an existing table") {
    Findings findings = lint_fixture("unsafe", kFiveRevisions).findings;
    const Finding& finding = only(findings, "require-concurrent-index-creation", "2b3c4d5e6f02");
    CHECK(finding.check == "lint");
    CHECK(finding.severity == Severity::error);
    CHECK(finding.file == version_file("unsafe", "2b3c4d5e6f02_index_account_email.py"));
    CHECK(finding.line == 20);
    CHECK(finding.message ==
          "CREATE INDEX ix_account_email holds a SHARE lock on existing table account until the "
          "index is built, blocking every INSERT, UPDATE and DELETE on it meanwhile");
    CHECK(finding.help ==
          "build it without blocking writes, outside the migration's transaction: `with "
          "op.get_context().autocommit_block(): op.create_index(\"ix_account_email\", \"account\", "
          "[\"email\"], postgresql_concurrently=True)`");
  }

  TEST_CASE("lint_sql: concurrently inside autocommit_block is safe, outside it fails") {
    Findings findings = lint_fixture("unsafe", kFiveRevisions).findings;
    const Finding& finding = only(findings, "concurrently-in-transaction", "3c4d5e6f7a03");
    CHECK(finding.file == version_file("unsafe", "3c4d5e6f7a03_concurrent_indexes.py"));
    CHECK(finding.line == 27);  // the second create_index; the one at line 21 is in the block
    CHECK(
        finding.message.starts_with("CREATE INDEX CONCURRENTLY cannot run inside a transaction "
                                    "block"));
  }

  TEST_CASE("lint_sql: add_column NOT NULL without default, alter_column type change") {
    Findings findings = lint_fixture("unsafe", kFiveRevisions).findings;
    const Finding& required = only(findings, "adding-required-field", "4d5e6f7a8b04");
    CHECK(required.file == version_file("unsafe", "4d5e6f7a8b04_account_plan_and_types.py"));
    CHECK(required.line == 20);
    CHECK(required.message ==
          "ADD COLUMN plan NOT NULL without a default fails as soon as existing table account has "
          "a row (\"column \\\"plan\\\" of relation \\\"account\\\" contains null values\")");
    const Finding& retyped = only(findings, "changing-column-type", "4d5e6f7a8b04");
    CHECK(retyped.line == 21);
    CHECK(retyped.message ==
          "changing account.email from text to varchar(200) rewrites existing table account and "
          "rebuilds its indexes under an ACCESS EXCLUSIVE lock, blocking all reads and writes of "
          "it until done");
    // Line 24 widens name from varchar(100) to varchar(200): binary-coercible, not reported.
  }

  TEST_CASE("lint_sql: drop_column and create_foreign_key") {
    Findings findings = lint_fixture("unsafe", kFiveRevisions).findings;
    const Finding& dropped = only(findings, "ban-drop-column", "5e6f7a8b9c05");
    CHECK(dropped.severity == Severity::warning);
    CHECK(dropped.file == version_file("unsafe", "5e6f7a8b9c05_drop_name_add_fk.py"));
    CHECK(dropped.line == 20);
    CHECK(dropped.message ==
          "DROP COLUMN account.name breaks every running instance of the application that still "
          "reads or writes it, until the new code is everywhere");
    const Finding& foreign = only(findings, "adding-foreign-key-constraint", "5e6f7a8b9c05");
    CHECK(foreign.line == 21);
    CHECK(foreign.message ==
          "ADD CONSTRAINT fk_note_account_id_account FOREIGN KEY on existing table note checks "
          "every row against account while holding SHARE ROW EXCLUSIVE locks on both, blocking "
          "writes to note and account until the check ends");
    CHECK(foreign.help.starts_with(
        "add it without the check: `op.create_foreign_key(\"fk_note_account_id_account\", "
        "\"note\", \"account\", [\"account_id\"], [\"id\"], postgresql_not_valid=True)`"));
  }

  TEST_CASE("lint_sql: only the revisions in scope are reported, the earlier ones are history") {
    Findings findings = lint_fixture("unsafe", {"4d5e6f7a8b04"}).findings;
    // The old type of account.email (text) comes from the first revision, out of scope.
    CHECK(placed(findings) == std::vector<std::string>{"adding-required-field@4d5e6f7a8b04:20",
                                                       "require-lock-timeout@4d5e6f7a8b04:20",
                                                       "changing-column-type@4d5e6f7a8b04:21"});
    CHECK(only(findings, "changing-column-type", "4d5e6f7a8b04")
              .message.starts_with("changing account.email from text to varchar(200)"));
  }

  TEST_CASE("lint_sql: a lock_timeout set in env.py silences require-lock-timeout") {
    Linted linted = lint_fixture("lock_timeout_env", {"1a2b3c4d5e01", "6f7a8b9c0d06"});
    INFO(linted.log);
    CHECK(placed(linted.findings) ==
          std::vector<std::string>{"ban-drop-column@6f7a8b9c0d06:20",
                                   "require-concurrent-index-creation@6f7a8b9c0d06:21"});
  }

  TEST_CASE("lint_sql: a lock_timeout env.py sets online only, read from its source") {
    // connection.execute(text("SET lock_timeout = '5s'")) inside context.begin_transaction() of
    // run_migrations_online, and create_engine(..., connect_args={"options": "-c
    // lock_timeout=5s"}): offline SQL shows neither.
    for (std::string project : {"lock_timeout_online", "lock_timeout_connect_args"}) {
      CAPTURE(project);
      Linted linted = lint_fixture(project, {"1a2b3c4d5e01", "6f7a8b9c0d06"});
      INFO(linted.log);
      CHECK(placed(linted.findings) ==
            std::vector<std::string>{"ban-drop-column@6f7a8b9c0d06:20",
                                     "require-concurrent-index-creation@6f7a8b9c0d06:21"});
      CHECK(linted.log.find("lint: env.py sets a lock_timeout on its connection (a string "
                            "literal in it)") != std::string::npos);
    }
  }

  TEST_CASE("lint_sql: an env.py that cannot run offline gives one notice, nothing else") {
    Linted linted = lint_fixture("offline_unsafe", {"1a2b3c4d5e01"});
    REQUIRE(linted.findings.size() == 1);
    const Finding& notice = linted.findings[0];
    CHECK(notice.rule == "offline-env-failed");
    CHECK(notice.severity == Severity::notice);
    CHECK(notice.file == "tests/fixtures/lint_sql/offline_unsafe/migrations/env.py");
    CHECK(notice.line == 12);
    CHECK(notice.message.starts_with(
        "env.py cannot run in offline mode, so the SQL rules did not run (only the static rules "
        "did): OperationalError: (psycopg2.OperationalError) connection to server at "
        "\"127.0.0.1\", port 1 failed"));
    CHECK(linted.log.find("Traceback") != std::string::npos);
  }

  TEST_CASE(
      "lint_sql: a revision whose import raises: the notice names the import, and the help "
      "the install input, not an offline branch env.py has") {
    Linted linted = lint_fixture("revision_import", {"1a2b3c4d5e21"});
    REQUIRE(linted.findings.size() == 1);
    const Finding& notice = linted.findings[0];
    CHECK(notice.rule == "offline-env-failed");
    CHECK(notice.file == version_file("revision_import", "1a2b3c4d5e21_add_invoice.py"));
    CHECK(notice.line == 11);
    CHECK(notice.message ==
          "Alembic cannot load the revisions, so the SQL rules did not run (only the static rules "
          "did): KeyError: 'BILLING_SECRET'");
    CHECK(notice.help ==
          version_file("revision_import", "1a2b3c4d5e21_add_invoice.py") +
              " raised while Alembic loaded it (line 11: `from app_settings import SECRET`), not "
              "env.py: it must import in the gate's environment as it does in yours: give the "
              "`install` input the command that installs what it imports (e.g. `pip install -r "
              "requirements.txt`), and set the environment variables its imports read (the "
              "step's `env:`)");
  }

  TEST_CASE("lint_sql: a revision that raises while loading for another reason: fix that line") {
    Linted linted = lint_fixture("revision_raises", {"1a2b3c4d5e31"});
    REQUIRE(linted.findings.size() == 1);
    CHECK(linted.findings[0].line == 11);
    CHECK(linted.findings[0].message.ends_with("NameError: name 'settings' is not defined"));
    CHECK(linted.findings[0].help ==
          version_file("revision_raises", "1a2b3c4d5e31_add_invoice.py") +
              " raises while Alembic loads it (line 11: `SECRET = settings[\"billing\"]  # a name "
              "the file never defines`), as `alembic history` would: fix that line");
  }

  TEST_CASE("lint_sql: unparsable SQL and a revision that fails offline are notices") {
    Linted linted = lint_fixture("unparsable", {"7a8b9c0d1e07", "8b9c0d1e2f08"});
    INFO(linted.log);
    CHECK(placed(linted.findings) == std::vector<std::string>{
                                         "unparsable-sql@7a8b9c0d1e07:20",
                                         "ban-drop-column@7a8b9c0d1e07:21",
                                         "require-lock-timeout@8b9c0d1e2f08:20",
                                         "offline-revision-failed@8b9c0d1e2f08:21",
                                     });
    const Finding& unparsable = only(linted.findings, "unparsable-sql", "7a8b9c0d1e07");
    CHECK(unparsable.severity == Severity::notice);
    CHECK(unparsable.file == version_file("unparsable", "7a8b9c0d1e07_raw_sql.py"));
    CHECK(unparsable.message ==
          "PostgreSQL's parser cannot read this statement (syntax error at or near \"FANCY\"), so "
          "no SQL rule checked it: CREATE FANCY INDEX ix_account_name ON account (name);");
    const Finding& failed = only(linted.findings, "offline-revision-failed", "8b9c0d1e2f08");
    CHECK(failed.file == version_file("unparsable", "8b9c0d1e2f08_backfill_reads_rows.py"));
    CHECK(failed.message ==
          "upgrade() of 8b9c0d1e2f08 raised in offline mode, so the SQL rules did not see what it "
          "runs from here on: AttributeError: 'NoneType' object has no attribute 'fetchall'");
  }

  TEST_CASE("worker offline: a refused name whose text then fails to render attaches to nothing") {
    // 9c0d1e2f3a09: create_foreign_key with a 66-byte name (SQLAlchemy refuses it, recorded)
    // and ondelete="DELETE", which SQLAlchemy then cannot render (CompileError): the text is
    // never written, and the name must not ride on the next one (the version table's UPDATE).
    Result<alembic::OfflineSql> sql =
        offline_sql("unparsable", {"1a2b3c4d5e01", "7a8b9c0d1e07", "8b9c0d1e2f08", "9c0d1e2f3a09"});
    REQUIRE(sql.ok());
    REQUIRE(sql->failures.size() == 2);
    CHECK(sql->failures[1].revision == "9c0d1e2f3a09");
    CHECK(sql->failures[1].error.message.starts_with("CompileError: Unexpected SQL phrase"));
    CHECK(sql->failures[1].error.line == 21);
    std::vector<std::string> refused;
    for (const alembic::EmittedSql& emitted : sql->statements)
      for (const std::string& name : emitted.refused_identifiers)
        refused.push_back(emitted.sql.substr(0, emitted.sql.find_first_of(" \n")) + " " + name);
    CHECK(refused == std::vector<std::string>{});
  }

  TEST_CASE("lint_sql: the safe recipes the findings recommend pass the rules") {
    Linted linted = lint_fixture("safe", {"2b3c4d5e6f02"});
    INFO(linted.log);
    CHECK(linted.findings.empty());
    // The base revision's varchar(10) column is the only finding of the whole history.
    CHECK(placed(lint_fixture("safe", {"1a2b3c4d5e01", "2b3c4d5e6f02"}).findings) ==
          std::vector<std::string>{"prefer-text-field@1a2b3c4d5e01:21"});
  }

  TEST_CASE("lint_sql: every rule from Alembic's own SQL, one op. call each, at its line" *
            kEveryVersion) {
    Linted linted = lint_fixture("rules", kFiveRevisions);
    INFO(linted.log);
    std::vector<std::string> seen;
    for (const Finding& finding : linted.findings) {
      if (finding.revision == "2b3c4d5e6f02")
        seen.push_back(placed({finding})[0] + " " + finding.message);
    }
    CHECK(seen ==
          std::vector<std::string>{
              "require-concurrent-index-deletion@2b3c4d5e6f02:22 DROP INDEX ix_account_email takes "
              "an ACCESS EXCLUSIVE lock on account, blocking all reads and writes of it while it "
              "waits for running queries and while it drops",
              "constraint-missing-not-valid@2b3c4d5e6f02:23 ADD CONSTRAINT ck_account_balance "
              "CHECK on existing table account checks every row while holding an ACCESS EXCLUSIVE "
              "lock, blocking all reads and writes of it until the scan ends",
              "adding-field-with-default@2b3c4d5e6f02:24 ADD COLUMN token with the volatile "
              "default random() rewrites all of existing table account under an ACCESS EXCLUSIVE "
              "lock, blocking all reads and writes of it until the rewrite ends",
              "adding-not-nullable-field@2b3c4d5e6f02:25 SET NOT NULL on account.name scans every "
              "row of existing table account while holding an ACCESS EXCLUSIVE lock, blocking all "
              "reads and writes of it until the scan ends",
              "disallowed-unique-constraint@2b3c4d5e6f02:26 ADD CONSTRAINT uq_account_email "
              "UNIQUE on existing table account builds its index while holding an ACCESS "
              "EXCLUSIVE lock, blocking all reads and writes of it until the build ends",
              "ban-drop-table@2b3c4d5e6f02:27 DROP TABLE legacy_session deletes its data for good "
              "and breaks every running instance of the application that still uses it",
              "renaming-column@2b3c4d5e6f02:28 RENAME COLUMN account.created_at to created breaks "
              "every running instance of the application that still uses the old name, until the "
              "new code is everywhere",
              "renaming-table@2b3c4d5e6f02:29 renaming table audit to audit_log breaks every "
              "running instance of the application that still uses the old name, until the new "
              "code is everywhere",
              "prefer-bigint-over-int@2b3c4d5e6f02:30 primary key tag.id is serial, which runs out "
              "at 2,147,483,647; widening it later rewrites tag and every table referencing it "
              "under ACCESS EXCLUSIVE locks",
              "prefer-timestamptz@2b3c4d5e6f02:31 account.seen_at is timestamp without time zone: "
              "its values carry no zone, so they mean different instants to servers, sessions and "
              "clients in different time zones",
              "prefer-jsonb@2b3c4d5e6f02:32 account.prefs is json: PostgreSQL keeps the text as "
              "written and reparses it on every access, and cannot index it with GIN nor compare "
              "it with =; jsonb can",
              "identifier-too-long@2b3c4d5e6f02:33 the column name "
              "last_successful_payment_reminder_notification_email_sent_at_utc_time is 68 bytes: "
              "PostgreSQL keeps its first 63 "
              "(last_successful_payment_reminder_notification_email_sent_at_utc) with only a "
              "NOTICE; SQL by the long name still works, but the database reports the short "
              "name: autogenerate sees "
              "last_successful_payment_reminder_notification_email_sent_at_utc where the models "
              "say last_successful_payment_reminder_notification_email_sent_at_utc_time",
              "identifier-too-long@2b3c4d5e6f02:34 the index name "
              "ix_tag_label_for_case_insensitive_lookups_by_the_support_team_search_page is 73 "
              "bytes, more than the 63 PostgreSQL keeps: SQLAlchemy refuses to render it "
              "(IdentifierError), so the migration fails here",
          });
  }

  TEST_CASE(
      "lint_sql: the maintenance and data hazards from Alembic's own SQL, each at its "
      "line, their safe forms give nothing" *
      kEveryVersion) {
    const std::vector<std::string> history = {"1a2b3c4d5e11", "2b3c4d5e6f12", "3c4d5e6f7a13",
                                              "4d5e6f7a8b14"};
    Linted linted = lint_fixture("hazards", history);
    INFO(linted.log);
    CHECK(placed(linted.findings) == std::vector<std::string>{
                                         "ban-truncate-cascade@2b3c4d5e6f12:23",
                                         "require-concurrent-reindex@2b3c4d5e6f12:24",
                                         "ban-cluster@2b3c4d5e6f12:25",
                                         "require-concurrent-partition-detach@2b3c4d5e6f12:26",
                                         "unbatched-data-change@2b3c4d5e6f12:27",
                                         "unbatched-data-change@2b3c4d5e6f12:28",
                                         "ban-vacuum-full@2b3c4d5e6f12:30",
                                         "require-concurrent-reindex@4d5e6f7a8b14:19",
                                         "require-lock-timeout@4d5e6f7a8b14:19",
                                     });
    REQUIRE(linted.findings.size() == 9);
    CHECK(linted.findings[4].message.starts_with("UPDATE account with no WHERE changes every row"));
    CHECK(linted.findings[5].message.starts_with("DELETE account_session with no WHERE deletes"));
    CHECK(only(linted.findings, "require-lock-timeout", "4d5e6f7a8b14").message ==
          "REINDEX needs a SHARE lock on existing table account and no lock_timeout is set: "
          "while it waits behind a long-running transaction, all later writes of account wait "
          "behind it");
  }

  TEST_CASE(
      "lint_sql: drop_index names its table in table_name= when no revision made the "
      "index: dropped before that table, it is the table's finding") {
    Findings findings = lint_fixture("hazards", {"5e6f7a8b9c15"}).findings;
    REQUIRE(placed(findings) == std::vector<std::string>{"ban-drop-table@5e6f7a8b9c15:21",
                                                         "require-concurrent-index-deletion@"
                                                         "5e6f7a8b9c15:22"});
    CHECK(findings[1].message ==
          "DROP INDEX ix_account_legacy takes an ACCESS EXCLUSIVE lock on account, blocking all "
          "reads and writes of it while it waits for running queries and while it drops");
    CHECK(findings[1].help.find("op.drop_index(\"ix_account_legacy\", table_name=\"account\", "
                                "postgresql_concurrently=True)") != std::string::npos);
  }

  TEST_CASE("lint_sql: the safe form of every rule, in Alembic's own SQL, gives nothing") {
    // 3c4d5e6f7a03: concurrent drop_index in autocommit_block, UNIQUE USING INDEX, CHECKs NOT
    // VALID validated after a commit, SET NOT NULL proven, a stable default (date(now())), a
    // volatile default set after the column, a table dropped in its own revision, the new
    // column of an expand and contract, a view before a rename, bigint, timestamptz, jsonb,
    // names of exactly 63 bytes, numeric precision raised at the same scale.
    Linted linted = lint_fixture("rules", {"3c4d5e6f7a03"});
    INFO(linted.log);
    CHECK(linted.findings.empty());
    CHECK(linted.log.find("lint: SQL of 3 revisions (1 in scope") != std::string::npos);
  }

  TEST_CASE(
      "lint_sql: autogenerate's drop_index before drop_table is reported once, as the table") {
    Findings findings = lint_fixture("rules", {"4d5e6f7a8b04"}).findings;
    REQUIRE(placed(findings) == std::vector<std::string>{"ban-drop-table@4d5e6f7a8b04:23"});
    CHECK(findings[0].message ==
          "DROP TABLE old_report deletes its data for good and breaks every running instance of "
          "the application that still uses it");
    CHECK(findings[0].help ==
          "stop using it first: remove old_report's model and deploy that; then drop it in a "
          "later release and say so: `op.drop_table(\"old_report\")  # alembic-gate: "
          "ignore[ban-drop-table] unused since <release>`");
  }

  TEST_CASE("lint_sql: batch_op calls are reported at their own line, not at the with block" *
            kEveryVersion) {
    Findings findings = lint_fixture("rules", {"5e6f7a8b9c05"}).findings;
    // Line 22 is `with op.batch_alter_table("account") as batch_op:`, where Alembic runs them.
    CHECK(placed(findings) == std::vector<std::string>{
                                  "prefer-timestamptz@5e6f7a8b9c05:23",
                                  "require-concurrent-index-creation@5e6f7a8b9c05:24",
                                  "require-concurrent-index-creation@5e6f7a8b9c05:25",
                                  "identifier-too-long@5e6f7a8b9c05:25",
                                  "ban-drop-column@5e6f7a8b9c05:26",
                              });
  }

  TEST_CASE("lint_sql: an index name SQLAlchemy refuses is reported, and the rest still linted") {
    Findings findings = lint_fixture("rules", kFiveRevisions).findings;
    for (const Finding& finding : findings) CHECK(finding.rule != "offline-revision-failed");
    Findings refused;
    for (const Finding& finding : findings)
      if (finding.rule == "identifier-too-long" &&
          finding.message.find("SQLAlchemy") != std::string::npos)
        refused.push_back(finding);
    REQUIRE(placed(refused) == std::vector<std::string>{"identifier-too-long@2b3c4d5e6f02:34",
                                                        "identifier-too-long@5e6f7a8b9c05:25"});
    CHECK(refused[0].severity == Severity::error);
    CHECK(refused[0].file == version_file("rules", "2b3c4d5e6f02_every_rule.py"));
    CHECK(refused[0].help ==
          "name it in at most 63 bytes where the migration names it, e.g. "
          "`op.create_index(\"ix_tag_label_for_case_insensitive_lookups_by_the_support_team_s\", "
          "\"tag\", ...)`; for names the MetaData's naming_convention generates, shorten the "
          "convention");
    CHECK(refused[1].message ==
          "the index name ix_account_last_login_for_the_weekly_inactive_account_report_job_queue "
          "is 70 bytes, more than the 63 PostgreSQL keeps: SQLAlchemy refuses to render it "
          "(IdentifierError), so the migration fails here");
  }

  TEST_CASE("lint_sql: nothing in scope, nothing to do") {
    CHECK(lint_fixture("unsafe", {}).findings.empty());
  }
}

}  // namespace ag::test
