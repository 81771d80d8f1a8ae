// The roundtrip check end to end: real Alembic (Debian's, under /usr/bin/python3 or python3),
// real PostgreSQL (the test cluster), fixture projects under tests/fixtures/roundtrip. Each test
// asserts the finding (rule, file, line, message), the exit code, and that the scratch database
// is gone afterwards.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "support/postgres.h"
#include "support/python_versions.h"
#include "support/run_gate.h"
#include "support/scratch.h"
#include "support/temp_dir.h"
#include "util/file.h"

namespace ag::test {
namespace {

// Run in every cell of the version matrix too (tests/README.md).
const doctest::test_suite kEveryVersion("roundtrip: every version");

constexpr std::string_view kFixtures = "tests/fixtures/roundtrip/";

GateRun roundtrip(std::string_view name, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = roundtrip_args(fixture("roundtrip/" + std::string(name)));
  args.insert(args.end(), extra.begin(), extra.end());
  return run_gate(args);
}

std::string file_of(std::string_view name, std::string_view file) {
  return std::string(kFixtures) + std::string(name) + "/" + std::string(file);
}

bool contains(const nlohmann::json& text, std::string_view part) {
  return text.get<std::string>().find(part) != std::string::npos;
}

/// Sets an environment variable of this process (so of the worker it starts) for a scope.
class ScopedVariable {
 public:
  ScopedVariable(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedVariable() { ::unsetenv(name_); }
  ScopedVariable(const ScopedVariable&) = delete;
  ScopedVariable& operator=(const ScopedVariable&) = delete;

 private:
  const char* name_;
};

/// A finding a fixture must report: its rule, revision, file under migrations/versions/, line,
/// and the message in full.
struct Expected {
  std::string rule;
  std::string revision;
  std::string file;
  int line;
  std::string message;
};

/// Checks that `run` reported exactly `expected`, in report order, and nothing else.
void check_exactly(const GateRun& run, std::string_view fixture_name,
                   const std::vector<Expected>& expected) {
  nlohmann::json findings = run.report()["findings"];
  REQUIRE(findings.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(findings[i]["rule"] == expected[i].rule);
    CHECK(findings[i]["revision"] == expected[i].revision);
    CHECK(findings[i]["file"] == file_of(fixture_name, "migrations/versions/" + expected[i].file));
    CHECK(findings[i]["line"] == expected[i].line);
    CHECK(findings[i]["message"] == expected[i].message);
  }
}

/// Revision a1, which creates table t and drops it again, with `imports` after its docstring.
std::string creating_t(std::string_view imports) {
  return "\"\"\"create t\"\"\"\n" + std::string(imports) +
         "from alembic import op\n"
         "revision = 'a1'\n"
         "down_revision = None\n"
         "def upgrade():\n"
         "    op.execute('CREATE TABLE t (id int)')\n"
         "def downgrade():\n"
         "    op.execute('DROP TABLE t')\n";
}

}  // namespace

TEST_SUITE("roundtrip") {
  TEST_CASE(
      "correct histories pass: linear, branched and merged, async, attributes, DATABASE_URL, "
      "columns dropped and restored, env.py recipes (SET then commit, autobegin, pytest-alembic's "
      "Engine, the cookbook's Connection)" *
      kEveryVersion) {
    for (std::string_view name :
         {"linear_ok", "branched_ok", "async_env", "attributes_connection", "database_url_env",
          "transaction_per_migration_off", "column_restored", "env_search_path_commit",
          "env_autobegin", "env_pytest_alembic", "env_cookbook_shared"}) {
      CAPTURE(name);
      GateRun run = roundtrip(name);
      INFO(run.err);
      CHECK(run.exit_code == 0);
      nlohmann::json report = run.report();
      CHECK(report["findings"].empty());
      REQUIRE(report["checks"].size() == 1);
      for (const nlohmann::json& revision : report["checks"][0]["revisions"]) {
        CHECK(revision["upgrade_seconds"].is_number());
        CHECK(revision["downgrade_seconds"].is_number());
      }
      // With every driver, only the first state is read whole; each step reads again only
      // what it touched.
      CHECK(contains(run.err, ", 1 of the whole catalog"));
      check_scratch_dropped(run);
    }
  }

  TEST_CASE("objects dropped and made again by downgrades are compared by what they are") {
    // A column added back (another number), a check made again (another stored expression), a
    // table made again (other OIDs) are the same objects by name and definition.
    GateRun run = roundtrip("objects_recreated");
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.report()["findings"].empty());
    check_scratch_dropped(run);
  }

  TEST_CASE("three defects mid-history: each at its own revision with its detail, nothing else") {
    // 35 revisions; the 32 correct ones around the defects (20 after the last) touch the same
    // tables: an index and a column added there, columns dropped and restored, a rename.
    const std::vector<Expected> expected = {
        {"downgrade-leaves-trace", "f948d1784030",
         "f948d1784030_add_order_shipped_at_and_created_at_.py", 29,
         "downgrade of f948d1784030 (\"add order shipped_at and created_at index\") leaves a "
         "trace: index ix_purchase_order_created_at on purchase_order exists after the downgrade "
         "but did not before the upgrade"},
        {"reupgrade-failed", "f948d1784030", "f948d1784030_add_order_shipped_at_and_created_at_.py",
         24,
         "upgrade to f948d1784030 (\"add order shipped_at and created_at index\"), run again "
         "after its downgrade, failed: ProgrammingError: (psycopg2.errors.DuplicateTable) "
         "relation \"ix_purchase_order_created_at\" already exists [SQL: CREATE INDEX "
         "ix_purchase_order_created_at ON purchase_order (created_at)] (SQLSTATE 42P07)"},
        {"downgrade-leaves-trace", "3a7c6088155f",
         "3a7c6088155f_keep_orders_when_their_customer_is_.py", 36,
         "downgrade of 3a7c6088155f (\"keep orders when their customer is deleted\") leaves a "
         "trace: constraint fk_purchase_order_customer_id on purchase_order: definition FOREIGN "
         "KEY (customer_id) REFERENCES customer(id) ON DELETE CASCADE before the upgrade, FOREIGN "
         "KEY (customer_id) REFERENCES customer(id) after the downgrade"},
        {"downgrade-failed", "6a42aa5bf365",
         "6a42aa5bf365_add_unique_constraint_on_customer_email.py", 24,
         "downgrade of 6a42aa5bf365 (\"add unique constraint on customer email\") failed: "
         "ProgrammingError: (psycopg2.errors.UndefinedObject) constraint \"uq_customer_email\" "
         "of relation \"customer\" does not exist [SQL: ALTER TABLE customer DROP CONSTRAINT "
         "uq_customer_email] (SQLSTATE 42704)"},
    };
    // In one database, and in several at once: with 4, revisions [0, 13) [13, 22) [22, 30)
    // [30, 35), the defects (7, 11, 14) in the first two; with 5, [0, 11) [11, 20) ..., 11 the
    // first of its segment.
    for (std::string jobs : {"1", "4", "5"}) {
      CAPTURE(jobs);
      GateRun run = roundtrip("realistic_defects", {"--roundtrip-jobs", jobs});
      INFO(run.err);
      CHECK(run.exit_code == 1);
      check_exactly(run, "realistic_defects", expected);
      CHECK(contains(run.err, "roundtrip: 35 of 35 revisions judged"));
      CHECK(contains(run.err, "in " + jobs + " scratch databases at once") == (jobs != "1"));
      check_scratch_dropped(run);
    }
  }

  TEST_CASE("a role with few connections left: fewer databases at once, the same findings") {
    // Each database beside the shared one holds two connections (its catalog's and its
    // worker's): a CONNECTION LIMIT of 3 leaves room for none, 6 for one more.
    nlohmann::json alone =
        roundtrip("realistic_defects", {"--roundtrip-jobs", "1"}).report()["findings"];
    REQUIRE(alone.size() == 4);
    pg::Connection server = connect_to_server();
    for (auto [limit, said] :
         {std::pair<int, std::string>{3, "roundtrip: one database instead of 4"},
          std::pair<int, std::string>{6, "roundtrip: 2 scratch databases at once instead of 4"}}) {
      CAPTURE(limit);
      REQUIRE(
          server.run("DROP ROLE IF EXISTS ag_few; CREATE ROLE ag_few LOGIN CREATEDB "
                     "CONNECTION LIMIT " +
                     std::to_string(limit)));
      std::vector<std::string> args = roundtrip_args(fixture("roundtrip/realistic_defects"));
      for (std::string& arg : args)
        if (arg == postgres_url()) arg.replace(arg.find("postgres@"), 9, "ag_few@");
      args.insert(args.end(), {"--roundtrip-jobs", "4"});
      GateRun run = run_gate(args);
      INFO(run.err);
      CHECK(run.exit_code == 1);
      CHECK(run.report()["findings"] == alone);
      CHECK(run.err.find(said) != std::string::npos);
      check_scratch_dropped(run);
    }
    CHECK(server.run("DROP ROLE ag_few"));
  }

  TEST_CASE("the same history gives the same findings every time, in one database or several") {
    nlohmann::json first = roundtrip("realistic_defects").report()["findings"];
    REQUIRE(first.size() == 4);
    for (int again = 0; again < 4; ++again) {
      CAPTURE(again);
      std::string jobs = std::to_string(1 + again);
      CHECK(roundtrip("realistic_defects", {"--roundtrip-jobs", jobs}).report()["findings"] ==
            first);
    }
  }

  TEST_CASE("each kind of defect, followed by correct revisions, is found with its detail" *
            kEveryVersion) {
    struct Case {
      std::string fixture;
      std::vector<Expected> expected;
    };
    const std::vector<Case> cases = {
        {"sequence_not_restored",
         {{"downgrade-leaves-trace", "77965bd21b6a",
           "77965bd21b6a_switch_ticket_id_to_an_identity_column.py", 30,
           "downgrade of 77965bd21b6a (\"switch ticket id to an identity column\") leaves a "
           "trace: column ticket.id: default nextval('ticket_id_seq'::regclass) before the "
           "upgrade, none after the downgrade; sequence ticket_id_seq is missing after the "
           "downgrade but existed before the upgrade"},
          {"reupgrade-failed", "77965bd21b6a",
           "77965bd21b6a_switch_ticket_id_to_an_identity_column.py", 22,
           "upgrade to 77965bd21b6a (\"switch ticket id to an identity column\"), run again "
           "after its downgrade, failed: ProgrammingError: (psycopg2.errors.UndefinedTable) "
           "sequence \"ticket_id_seq\" does not exist [SQL: DROP SEQUENCE ticket_id_seq] "
           "(SQLSTATE 42P01)"}}},
        {"fk_action_lost",
         {{"downgrade-leaves-trace", "d9d2715256ba",
           "d9d2715256ba_make_card_board_foreign_key_deferrable.py", 33,
           "downgrade of d9d2715256ba (\"make card board foreign key deferrable\") leaves a "
           "trace: constraint fk_card_board_id on card: definition FOREIGN KEY (board_id) "
           "REFERENCES board(id) ON DELETE CASCADE before the upgrade, FOREIGN KEY (board_id) "
           "REFERENCES board(id) after the downgrade"}}},
        {"enum_value_left",
         {{"downgrade-leaves-trace", "9f85f25dc993", "9f85f25dc993_add_urgent_task_priority.py", 34,
           "downgrade of 9f85f25dc993 (\"add urgent task priority\") leaves a trace: enum type "
           "task_priority: values 'low', 'normal', 'high' before the upgrade, 'low', 'normal', "
           "'high', 'urgent' after the downgrade"}}},
        {"downgrade_fails_alone",
         {{"downgrade-failed", "ae8017ece70c", "ae8017ece70c_add_account_referrer.py", 26,
           "downgrade of ae8017ece70c (\"add account referrer\") failed: ProgrammingError: "
           "(psycopg2.errors.UndefinedObject) constraint \"fk_account_referred_by_id_account\" "
           "of relation \"account\" does not exist [SQL: ALTER TABLE account DROP CONSTRAINT "
           "fk_account_referred_by_id_account] (SQLSTATE 42704)"}}},
    };
    for (const Case& each : cases) {
      CAPTURE(each.fixture);
      GateRun run = roundtrip(each.fixture);
      INFO(run.err);
      CHECK(run.exit_code == 1);
      check_exactly(run, each.fixture, each.expected);
      check_scratch_dropped(run);
    }
  }

  TEST_CASE("after a revision that commits midway leaves a trace, the later ones are still judged" *
            kEveryVersion) {
    // Its savepoint ends at the commit: the next revisions go on in a new scratch database. With
    // --roundtrip-jobs 5, the revision has a segment and a database of its own ([3, 4) of 5),
    // which is renewed alike.
    for (std::string jobs : {"1", "5"}) {
      CAPTURE(jobs);
      GateRun run = roundtrip("autocommit_trace", {"--roundtrip-jobs", jobs});
      INFO(run.err);
      CHECK(run.exit_code == 1);
      check_exactly(
          run, "autocommit_trace",
          {{"downgrade-leaves-trace", "9e4b27c8a0f3",
            "9e4b27c8a0f3_index_ticket_title_concurrently.py", 26,
            "downgrade of 9e4b27c8a0f3 (\"index ticket title concurrently\") leaves a trace: index "
            "ix_ticket_title on ticket exists after the downgrade but did not before the upgrade"},
           {"reupgrade-failed", "9e4b27c8a0f3", "9e4b27c8a0f3_index_ticket_title_concurrently.py",
            21,
            "upgrade to 9e4b27c8a0f3 (\"index ticket title concurrently\"), run again after its "
            "downgrade, failed: ProgrammingError: (psycopg2.errors.DuplicateTable) relation "
            "\"ix_ticket_title\" already exists [SQL: CREATE INDEX CONCURRENTLY ix_ticket_title ON "
            "ticket (title)] (SQLSTATE 42P07)"},
           {"downgrade-leaves-trace", "b6f0e3a91c28", "b6f0e3a91c28_add_ticket_priority.py", 23,
            "downgrade of b6f0e3a91c28 (\"add ticket priority\") leaves a trace: column "
            "ticket.priority exists after the downgrade but did not before the upgrade"},
           {"reupgrade-failed", "b6f0e3a91c28", "b6f0e3a91c28_add_ticket_priority.py", 20,
            "upgrade to b6f0e3a91c28 (\"add ticket priority\"), run again after its downgrade, "
            "failed: ProgrammingError: (psycopg2.errors.DuplicateColumn) column \"priority\" of "
            "relation \"ticket\" already exists [SQL: ALTER TABLE ticket ADD COLUMN priority "
            "INTEGER] (SQLSTATE 42701)"}});
      CHECK(contains(run.err, "roundtrip: 5 of 5 revisions judged"));
      CHECK(contains(run.err, "in 4 scratch databases at once") == (jobs == "5"));
      check_scratch_dropped(run);  // every scratch database
    }
  }

  TEST_CASE("examples/blog passes") {
    GateRun run = run_gate({"--format", "json", "--checks", "roundtrip", "--database-url",
                            postgres_url(), "--working-directory", AG_SOURCE_DIR "/examples/blog"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.report()["checks"][0]["revisions"].size() == 8);
    check_scratch_dropped(run);
  }

  TEST_CASE("a downgrade that leaves an index behind is an error at def downgrade, with the diff") {
    GateRun run = roundtrip("downgrade_leaves_index");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("downgrade-leaves-trace");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["file"] ==
          file_of("downgrade_leaves_index",
                  "migrations/versions/405c973957ae_add_article_summary_and_published_at_ind.py"));
    CHECK(found[0]["line"] == 24);
    CHECK(contains(found[0]["message"],
                   "downgrade of 405c973957ae (\"add article summary and published_at index\") "
                   "leaves a trace: "));
    CHECK(contains(found[0]["message"],
                   "index ix_article_published_at on article exists after the downgrade but "
                   "did not before the upgrade"));
    check_scratch_dropped(run);
  }

  TEST_CASE("a trace is reported at the revision that left it, and nowhere else") {
    GateRun run = roundtrip("downgrade_leaves_type");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("downgrade-leaves-trace");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["file"] ==
          file_of("downgrade_leaves_type",
                  "migrations/versions/23eae0c669f7_add_author_status_enum.py"));
    CHECK(found[0]["line"] == 34);
    CHECK(contains(found[0]["message"],
                   "enum type author_status exists after the downgrade but did not before the "
                   "upgrade"));
    CHECK(found[0]["revision"] == "23eae0c669f7");
    CHECK(run.report()["findings"].size() == 1);
    check_scratch_dropped(run);
  }

  TEST_CASE("a downgrade that fails points at the failing line with the database's message" *
            kEveryVersion) {
    GateRun run = roundtrip("downgrade_fails");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("downgrade-failed");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["file"] ==
          file_of("downgrade_fails", "migrations/versions/0b24fc083b16_create_tag_table.py"));
    CHECK(found[0]["line"] == 30);
    CHECK(contains(found[0]["message"], "downgrade of 0b24fc083b16"));
    CHECK(contains(found[0]["message"], "table \"no_such_table\" does not exist"));
    CHECK(contains(found[0]["message"], "(SQLSTATE 42P01)"));
    check_scratch_dropped(run);
  }

  TEST_CASE("NotImplementedError in a downgrade is a warning, and the later revisions are judged") {
    GateRun run = roundtrip("downgrade_not_implemented");
    CHECK(run.exit_code == 0);
    std::vector<nlohmann::json> found = run.findings("downgrade-not-implemented");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["severity"] == "warning");
    CHECK(found[0]["file"] ==
          file_of("downgrade_not_implemented",
                  "migrations/versions/cc6a1f1e5276_merge_first_and_last_name_into_full_name.py"));
    CHECK(found[0]["line"] == 29);
    CHECK(run.report()["findings"].size() == 1);
    CHECK(roundtrip("downgrade_not_implemented", {"--fail-on", "warning"}).exit_code == 1);
    check_scratch_dropped(run);
  }

  TEST_CASE("an upgrade failing mid-history stops there, at the failing line") {
    // In three databases at once the later ones meet the failure on their way: still one
    // finding, and the same log.
    for (std::string jobs : {"1", "3"}) {
      CAPTURE(jobs);
      GateRun run = roundtrip("upgrade_fails", {"--roundtrip-jobs", jobs});
      INFO(run.err);
      CHECK(run.exit_code == 1);
      CHECK(run.report()["findings"].size() == 1);
      std::vector<nlohmann::json> found = run.findings("upgrade-failed");
      REQUIRE(found.size() == 1);
      CHECK(found[0]["file"] ==
            file_of("upgrade_fails",
                    "migrations/versions/a222a95716f9_make_account_email_required.py"));
      CHECK(found[0]["line"] == 20);
      CHECK(contains(found[0]["message"],
                     "column \"email\" of relation \"account\" contains null values"));
      CHECK(contains(found[0]["message"], "(SQLSTATE 23502)"));
      CHECK(contains(run.err, "roundtrip: 2 of 4 revisions judged"));
      CHECK(contains(run.err, "roundtrip: the 1 revisions after a222a95716f9 were not judged"));
      check_scratch_dropped(run);
    }
  }

  TEST_CASE("migrations that create a role are judged in one database at a time") {
    pg::Connection server = connect_to_server();
    REQUIRE(server.run("DROP ROLE IF EXISTS ag_fixture_reader").ok());
    GateRun run = roundtrip("creates_role", {"--roundtrip-jobs", "2"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    // The role stays on the server, named (other tests may add roles of their own meanwhile).
    std::vector<nlohmann::json> left = run.findings("roles-left");
    REQUIRE(left.size() == 1);
    CHECK(run.report()["findings"].size() == 1);
    CHECK(left[0]["severity"] == "notice");
    CHECK(contains(left[0]["message"],
                   "roles appeared on the server during the roundtrip and "
                   "stay there: "));
    CHECK(contains(left[0]["message"], "ag_fixture_reader"));
    REQUIRE(server.run("DROP ROLE IF EXISTS ag_fixture_reader").ok());
    CHECK(contains(run.err,
                   "roundtrip: one database at a time: the migrations may act on what databases "
                   "of one server share (tests/fixtures/roundtrip/creates_role/migrations/"
                   "versions/"));
    CHECK_FALSE(contains(run.err, "scratch databases at once"));
    check_scratch_dropped(run);
  }

  TEST_CASE("an import error in env.py is one finding at env.py's line") {
    GateRun run = roundtrip("env_import_error");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("env-failed");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["file"] == file_of("env_import_error", "migrations/env.py"));
    CHECK(found[0]["line"] == 16);
    CHECK(contains(found[0]["message"],
                   "ModuleNotFoundError: No module named 'blog_models_missing'"));
    check_scratch_dropped(run);
  }

  TEST_CASE("env.py runs, and fails, with no revision at all") {
    TempDir dir;
    dir.write("alembic.ini", "[alembic]\nscript_location = %(here)s/migrations\n");
    dir.write("migrations/env.py", "import blog_models_missing\n");
    dir.folder("migrations/versions");
    GateRun run = run_gate(roundtrip_args(dir.path().string()));
    INFO(run.err);
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("env-failed");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["line"] == 1);
    CHECK(contains(found[0]["message"],
                   "ModuleNotFoundError: No module named 'blog_models_missing'"));
    check_scratch_dropped(run);
  }

  TEST_CASE(
      "setup-sql prepares every scratch database: an extension and a schema the history expects") {
    TempDir dir;
    one_revision_project(dir.path(),
                         "\"\"\"audit events\"\"\"\n"
                         "from alembic import op\n"
                         "revision = 'a1'\n"
                         "down_revision = None\n"
                         "def upgrade():\n"
                         "    op.execute('CREATE TABLE audit.events (id int, who citext)')\n"
                         "def downgrade():\n"
                         "    op.execute('DROP TABLE audit.events')\n");
    std::vector<std::string> args = roundtrip_args(dir.path().string());

    GateRun unprepared = run_gate(args);
    CHECK(unprepared.exit_code == 1);
    REQUIRE(unprepared.findings("upgrade-failed").size() == 1);
    CHECK(contains(unprepared.findings("upgrade-failed")[0]["message"],
                   "schema \"audit\" does not exist"));

    std::vector<std::string> inline_sql = args;
    inline_sql.insert(inline_sql.end(),
                      {"--setup-sql", "CREATE EXTENSION citext;\nCREATE SCHEMA audit;"});
    GateRun prepared = run_gate(inline_sql);
    INFO(prepared.err);
    CHECK(prepared.exit_code == 0);
    CHECK(prepared.report()["findings"].empty());
    check_scratch_dropped(prepared);

    dir.write("db/setup.sql", "CREATE EXTENSION IF NOT EXISTS citext;\nCREATE SCHEMA audit;\n");
    std::vector<std::string> from_file = args;
    from_file.insert(from_file.end(), {"--setup-sql", "db/setup.sql"});
    CHECK(run_gate(from_file).exit_code == 0);

    std::vector<std::string> missing = args;
    missing.insert(missing.end(), {"--setup-sql", "db/nope.sql"});
    GateRun no_file = run_gate(missing);
    CHECK(no_file.exit_code == 2);
    CHECK(contains(no_file.err, "setup-sql: cannot read file"));
    CHECK(contains(no_file.err, "nope.sql"));

    std::vector<std::string> unfinished = args;
    unfinished.insert(unfinished.end(), {"--setup-sql", "BEGIN; CREATE SCHEMA audit;"});
    GateRun open_transaction = run_gate(unfinished);
    CHECK(open_transaction.exit_code == 3);
    REQUIRE_FALSE(open_transaction.findings("infrastructure").empty());
    CHECK(contains(open_transaction.findings("infrastructure")[0]["message"],
                   "setup-sql left a transaction open in database alembic_gate_"));

    std::vector<std::string> broken = args;
    broken.insert(broken.end(), {"--setup-sql", "CREATE SCHEMA audit; CREATE EXTENSON citext;"});
    GateRun failing = run_gate(broken);
    CHECK(failing.exit_code == 3);
    std::vector<nlohmann::json> infrastructure = failing.findings("infrastructure");
    REQUIRE_FALSE(infrastructure.empty());
    CHECK(contains(infrastructure[0]["message"], "setup-sql failed in database alembic_gate_"));
    CHECK(contains(infrastructure[0]["message"], "syntax error at or near \"EXTENSON\""));
    check_scratch_dropped(failing);
  }

  TEST_CASE("a module env.py imports that is missing is one error that names the install input") {
    TempDir dir;
    one_revision_project(dir.path(), creating_t(""));
    std::string env_py = read_file(dir.path() / "migrations/env.py").value();
    dir.write("migrations/env.py", "import billing_ag.models\n" + env_py);
    std::vector<std::string> args = roundtrip_args(dir.path().string());
    args[3] = "heads,roundtrip,lint,drift";

    GateRun run = run_gate(args);
    INFO(run.err);
    CHECK(run.exit_code == 1);
    nlohmann::json findings = run.report()["findings"];
    INFO(findings.dump(2));
    REQUIRE(findings.size() == 1);  // not once per check that runs env.py
    CHECK(findings[0]["rule"] == "env-failed");
    CHECK(findings[0]["file"] == "migrations/env.py");
    CHECK(findings[0]["line"] == 1);
    CHECK(findings[0]["message"] ==
          "env.py failed: ModuleNotFoundError: No module named 'billing_ag' (drift and lint met "
          "the same error)");
    CHECK(contains(findings[0]["help"],
                   "billing_ag is not installed for the Python that runs Alembic (python3): "
                   "install the project's dependencies with the `install` input"));

    // The project's own package, out of Python's reach from working-directory.
    dir.write("lib/billing_ag/__init__.py", "");
    run = run_gate(args);
    std::vector<nlohmann::json> found = run.findings("env-failed");
    REQUIRE(found.size() == 1);
    CHECK(contains(found[0]["help"],
                   "billing_ag is this repository's own code (lib/billing_ag), but Python does not "
                   "find it when run in working-directory `.`: set working-directory to `lib`, add "
                   "that folder to prepend_sys_path in alembic.ini"));
    CHECK(run.findings("drift-env-failed").empty());
    CHECK(run.findings("offline-env-failed").empty());
  }

  TEST_CASE("a module a revision file imports that is missing is one error too") {
    TempDir dir;
    one_revision_project(dir.path(), creating_t("import geo_ag_missing\n"));
    std::vector<std::string> args = roundtrip_args(dir.path().string());
    args[3] = "heads,roundtrip,lint,drift";
    GateRun run = run_gate(args);
    INFO(run.err);
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> about_it;
    nlohmann::json report = run.report();
    for (const nlohmann::json& finding : report["findings"]) {
      if (contains(finding["message"], "No module named 'geo_ag_missing'"))
        about_it.push_back(finding);
    }
    REQUIRE(about_it.size() == 1);
    CHECK(about_it[0]["rule"] == "revision-unloadable");
    CHECK(about_it[0]["file"] == "migrations/versions/a1_first.py");
    CHECK(about_it[0]["line"] == 2);
    CHECK(contains(about_it[0]["message"], "met the same error)"));
    CHECK(contains(about_it[0]["help"],
                   "geo_ag_missing is not installed for the Python that "
                   "runs Alembic (python3): install the project's "
                   "dependencies with the `install` input"));
  }

  TEST_CASE(
      "a folder and a revision file whose names are not UTF-8 are checked as Alembic loads them") {
    TempDir dir;
    std::filesystem::path project = dir.path() / "proj\xFF";  // Linux names are bytes
    one_revision_project(project,
                         "from alembic import op\n"
                         "revision = 'a1'\n"
                         "down_revision = None\n"
                         "def upgrade():\n"
                         "    op.execute('CREATE TABLE kept (id int)')\n"
                         "def downgrade():\n"
                         "    pass\n");
    std::filesystem::rename(project / "migrations/versions/a1_first.py",
                            project / "migrations/versions/a1_\xFE.py");
    std::vector<std::string> args = roundtrip_args(project.string());
    args[3] = "heads,roundtrip,lint,drift";
    GateRun run = run_gate(args);
    INFO(run.err);
    CHECK_FALSE(contains(run.err, "internal error"));
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("downgrade-leaves-trace");
    REQUIRE(found.size() == 1);
    // The JSON report is UTF-8: the byte that is not becomes U+FFFD there.
    CHECK(found[0]["file"] == "migrations/versions/a1_\uFFFD.py");
    CHECK(found[0]["line"] == 6);
    CHECK(contains(found[0]["message"], "table kept exists after the downgrade"));
    check_scratch_dropped(run);
  }

  TEST_CASE("sys.exit() in a migration or in env.py is a failure at its line, not a crash") {
    TempDir dir;
    one_revision_project(dir.path(),
                         "import sys\n"
                         "revision = 'a1'\n"
                         "down_revision = None\n"
                         "def upgrade():\n"
                         "    sys.exit(0)\n"
                         "def downgrade():\n"
                         "    pass\n");
    GateRun run = run_gate(roundtrip_args(dir.path().string()));
    INFO(run.err);
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("upgrade-failed");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["line"] == 5);
    CHECK(
        contains(found[0]["message"], "sys.exit(0) was called: `alembic upgrade` would end there"));
    check_scratch_dropped(run);

    dir.write("migrations/env.py", "import sys\nsys.exit(3)\n");
    run = run_gate(roundtrip_args(dir.path().string()));
    INFO(run.err);
    CHECK(run.exit_code == 1);
    found = run.findings("env-failed");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["line"] == 2);
    CHECK(contains(found[0]["message"], "sys.exit(3) was called"));
    check_scratch_dropped(run);
  }

  TEST_CASE("migrations see neither the action's inputs nor the runner's tokens") {
    TempDir dir;
    one_revision_project(
        dir.path(),
        "import os\n"
        "revision = 'a1'\n"
        "down_revision = None\n"
        "def upgrade():\n"
        "    withheld = ('ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN')\n"
        "    seen = sorted(k for k in os.environ if k.startswith('INPUT_') or k in withheld)\n"
        "    assert not seen, seen\n"
        "    assert 'alembic_gate_' in os.environ['DATABASE_URL']\n"
        "def downgrade():\n"
        "    pass\n");
    ScopedVariable input("INPUT_DATABASE-URL", "postgresql://deploy:hunter2@prod.example/app");
    ScopedVariable runtime("ACTIONS_RUNTIME_TOKEN", "token");
    ScopedVariable id_token("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "token");
    GateRun run = run_gate(roundtrip_args(dir.path().string()));
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.report()["findings"].empty());
  }

  TEST_CASE("a migration with a syntax error is one finding at the line Python reports") {
    GateRun run = roundtrip("syntax_error");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("revision-unloadable");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["file"] ==
          file_of("syntax_error", "migrations/versions/cc628935c6eb_add_invoice_due_date.py"));
    CHECK(found[0]["line"] == 20);
    CHECK(contains(found[0]["message"], "SyntaxError"));
    check_scratch_dropped(run);
  }

  TEST_CASE(
      "a step past step-timeout is stopped and named, the scratch database is still dropped") {
    GateRun run = roundtrip("slow_step", {"--step-timeout", "2"});
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("step-timeout");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["file"] ==
          file_of("slow_step", "migrations/versions/b529e4020ee4_backfill_report_row_counts.py"));
    CHECK(found[0]["line"] == 19);
    CHECK(contains(found[0]["message"],
                   "upgrade to b529e4020ee4 (\"backfill report row counts\") did not finish "
                   "within step-timeout (2 s)"));
    check_scratch_dropped(run);
  }

  TEST_CASE("a downgrade that breaks its own re-upgrade is caught right after it") {
    pg::Connection connection = connect_to_server();
    REQUIRE(connection.run("DROP ROLE IF EXISTS reporting_readonly").ok());
    GateRun run = roundtrip("reupgrade_breaks");
    REQUIRE(connection.run("DROP ROLE IF EXISTS reporting_readonly").ok());
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("reupgrade-failed");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["file"] ==
          file_of("reupgrade_breaks",
                  "migrations/versions/74753398663d_add_reporting_role_and_invoice_totals_vi.py"));
    CHECK(found[0]["line"] == 20);
    CHECK(contains(found[0]["message"], "role \"reporting_readonly\" already exists"));
    check_scratch_dropped(run);
  }

  TEST_CASE("skip-revisions are stamped, minimum-downgrade-revision stops the downgrades" *
            kEveryVersion) {
    // The failing downgrade and the revision that needs its table are stamped, not run.
    GateRun skipped =
        roundtrip("downgrade_fails", {"--skip-revisions", "0b24fc083b16,af75fba0d362"});
    INFO(skipped.err);
    CHECK(skipped.exit_code == 0);
    CHECK(skipped.report()["findings"].empty());  // without the skips: downgrade-failed, exit 1
    GateRun floor =
        roundtrip("downgrade_leaves_index", {"--minimum-downgrade-revision", "405c973957ae"});
    CHECK(floor.exit_code == 0);
    nlohmann::json floored = floor.report()["checks"][0]["revisions"];
    REQUIRE(floored.size() == 3);
    CHECK(floored[1]["downgrade_seconds"].is_null());  // the floor itself is not downgraded
    CHECK(floored[2]["downgrade_seconds"].is_number());
  }

  TEST_CASE("an unreachable server is an infrastructure error, exit 3") {
    GateRun run = run_gate({"--format", "json", "--checks", "roundtrip", "--connect-timeout", "1",
                            "--database-url", "postgresql://postgres@127.0.0.1:1/postgres",
                            "--working-directory", fixture("roundtrip/linear_ok")});
    CHECK(run.exit_code == 3);
    std::vector<nlohmann::json> found = run.findings("infrastructure");
    REQUIRE(found.size() == 1);
    CHECK(contains(found[0]["message"], "the check could not run"));
    CHECK(run.report()["result"] == "error");
  }

  TEST_CASE(
      "no Python that can import Alembic is an infrastructure error, exit 3, naming the packages") {
    GateRun run = roundtrip("linear_ok", {"--python", "/nonexistent/python3"});
    CHECK(run.exit_code == 3);
    std::vector<nlohmann::json> found = run.findings("infrastructure");
    REQUIRE(found.size() == 1);
    CHECK(contains(found[0]["message"], "apt-get install python3-alembic python3-sqlalchemy"));
    check_scratch_dropped(run);
  }

  TEST_CASE(
      "an Alembic lacking what the worker uses is an infrastructure error, not the project's") {
    // The fixture's env.py deletes alembic.runtime.migration.RevisionStep, as a release might.
    GateRun run = run_gate(roundtrip_args(fixture("drift/alembic_changed_steps")));
    CHECK(run.exit_code == 3);
    CHECK(run.findings("env-failed").empty());
    CHECK(run.findings("upgrade-failed").empty());
    std::vector<nlohmann::json> found = run.findings("infrastructure");
    REQUIRE(found.size() == 1);
    CHECK(contains(found[0]["message"], "has no alembic.runtime.migration.RevisionStep"));
    check_scratch_dropped(run);
  }

  TEST_CASE(
      "a project configured only in pyproject.toml: every check on Alembic 1.16 and later, "
      "exit 3 with what to do before" *
      kEveryVersion) {
    // examples/blog with its [alembic] section as [tool.alembic] and no alembic.ini.
    TempDir dir;
    std::filesystem::copy(AG_SOURCE_DIR "/examples/blog", dir.path(),
                          std::filesystem::copy_options::recursive);
    std::filesystem::remove(dir.path() / "alembic.ini");
    dir.write("pyproject.toml",
              "[project]\nname = \"blog\"\nversion = \"0.1.0\"\n\n[tool.alembic]\n"
              "script_location = \"%(here)s/migrations\"\nprepend_sys_path = [\".\"]\n");
    GateRun run = run_gate({"--format", "json", "--database-url", postgres_url(),
                            "--working-directory", dir.path().string()});
    INFO(run.err);
    nlohmann::json report = run.report();
    CHECK(report["checks"][0]["status"] == "passed");  // heads reads it statically
    if (at_least(python_versions().alembic, 1, 16)) {
      CHECK(run.exit_code == 0);
      REQUIRE(report["checks"].size() == 4);
      for (const nlohmann::json& check : report["checks"]) CHECK(check["status"] == "passed");
      CHECK(report["checks"][1]["name"] == "roundtrip");
      CHECK(report["checks"][1]["revisions"].size() == 8);  // the roundtrip judged them all
      CHECK(run.findings("downgrade-leaves-trace").empty());
      CHECK(!run.findings("prefer-bigint-over-int").empty());  // lint read the revisions
    } else {  // Debian 12's Alembic 1.8 and 13's 1.13 predate [tool.alembic]
      CHECK(run.exit_code == 3);
      std::vector<nlohmann::json> found = run.findings("infrastructure");
      REQUIRE(!found.empty());
      CHECK(
          contains(found[0]["message"],
                   "cannot read [tool.alembic] from pyproject.toml (Alembic 1.16 and later can)"));
    }
    check_scratch_dropped(run);
  }

  TEST_CASE("env.py that runs migrations inside its own transaction is judged like any other" *
            kEveryVersion) {
    TempDir dir;
    dir.write("alembic.ini", "[alembic]\nscript_location = %(here)s/migrations\n");
    dir.write("migrations/env.py",
              "import os\n"
              "from alembic import context\n"
              "from sqlalchemy import create_engine, pool\n"
              "engine = create_engine(os.environ['DATABASE_URL'], poolclass=pool.NullPool)\n"
              "with engine.begin() as connection:\n"
              "    context.configure(connection=connection, target_metadata=None)\n"
              "    with context.begin_transaction():\n"
              "        context.run_migrations()\n");
    dir.write(
        "migrations/versions/aaa_base.py",
        "from alembic import op\nimport sqlalchemy as sa\nrevision = 'aaa'\ndown_revision = None\n"
        "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer, primary_key=True))\n"
        "def downgrade():\n    pass\n");
    GateRun run = run_gate({"--format", "json", "--checks", "roundtrip", "--database-url",
                            postgres_url(), "--working-directory", dir.path().string()});
    INFO(run.err);
    // Its downgrade forgets the table: a trace, and the upgrade run again meets the table.
    CHECK(run.exit_code == 1);
    CHECK(run.report()["findings"].size() == 2);
    std::vector<nlohmann::json> found = run.findings("downgrade-leaves-trace");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["message"] ==
          "downgrade of aaa leaves a trace: table t exists after the downgrade but did not "
          "before the upgrade; sequence t_id_seq exists after the downgrade but did not before "
          "the upgrade");
    CHECK(found[0]["revision"] == "aaa");
    found = run.findings("reupgrade-failed");
    REQUIRE(found.size() == 1);
    CHECK(contains(found[0]["message"], "relation \"t\" already exists"));
    CHECK(found[0]["line"] == 6);
    check_scratch_dropped(run);
  }
}

}  // namespace ag::test
