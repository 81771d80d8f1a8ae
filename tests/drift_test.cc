// The drift check end to end: real Alembic (Debian's), real PostgreSQL (the test cluster),
// fixture projects under tests/fixtures/drift (README.md there lists each one's expected
// finding). Each test asserts the finding (rule, file, line, message), the exit code, that no
// revision file was written and that the scratch databases are gone afterwards.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "checks/drift/drift.h"
#include "support/postgres.h"
#include "support/python_versions.h"
#include "support/run_gate.h"
#include "support/scratch.h"

namespace ag::test {
namespace {

// Run in every cell of the version matrix too (tests/README.md).
const doctest::test_suite kEveryVersion("drift: every version");

namespace fs = std::filesystem;

std::string file_of(std::string_view name, std::string_view file) {
  return "tests/fixtures/drift/" + std::string(name) + "/" + std::string(file);
}

/// The files in the versions folders the fixtures use.
std::vector<std::string> revision_files() {
  std::vector<std::string> files;
  for (const char* folder :
       {"drift/shop/migrations/versions", "drift/include_object/migrations/versions",
        "drift/several_metadata/migrations/versions", "drift/multi_database/migrations/versions",
        "drift/upgrade_fails/migrations/versions", "drift/shop_types/versions"}) {
    for (const fs::directory_entry& entry : fs::directory_iterator(fixture(folder)))
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// Runs alembic-gate's drift check (only) on a fixture; checks that it wrote no revision file
/// and left no scratch database.
GateRun drift(std::string_view name, std::vector<std::string> extra = {}) {
  std::vector<std::string> before = revision_files();
  std::vector<std::string> args{"--format",
                                "json",
                                "--checks",
                                "drift",
                                "--database-url",
                                postgres_url(),
                                "--working-directory",
                                fixture("drift/" + std::string(name))};
  args.insert(args.end(), extra.begin(), extra.end());
  GateRun run = run_gate(args);
  CHECK(revision_files() == before);
  check_scratch_dropped(run);
  return run;
}

/// The one finding of the run, which must have `rule`.
nlohmann::json only_finding(const GateRun& run, std::string_view rule) {
  INFO(run.out);
  INFO(run.err);
  REQUIRE(run.report()["findings"].size() == 1);
  std::vector<nlohmann::json> found = run.findings(rule);
  REQUIRE(found.size() == 1);
  return found[0];
}

/// A fixture that passes, with and without strict mode.
void check_passes_strict_too(std::string_view name) {
  for (std::vector<std::string> extra : {std::vector<std::string>{}, {"--drift-strict"}}) {
    GateRun run = drift(name, extra);
    INFO(run.err);
    INFO(run.report()["findings"].dump(2));
    CHECK(run.exit_code == 0);
    CHECK(run.report()["findings"].empty());
  }
}

/// The one finding strict mode adds on a fixture that passes without it (a warning: exit 0).
nlohmann::json strict_only_finding(std::string_view name) {
  CHECK(drift(name).report()["findings"].empty());
  GateRun strict = drift(name, {"--drift-strict"});
  CHECK(strict.exit_code == 0);
  return only_finding(strict, "drift-strict");
}

bool contains(const nlohmann::json& text, std::string_view part) {
  return text.get<std::string>().find(part) != std::string::npos;
}

const char* const kGenerate =
    "if the models are right, generate the migration: `alembic revision --autogenerate -m ";

}  // namespace

TEST_SUITE("drift") {
  TEST_CASE("models that match the migrations pass, env.py's own revision hook is chained" *
            kEveryVersion) {
    // env.py's process_revision_directives reads config.cmd_opts.autogenerate and empties the
    // directives when there is nothing to do: Alembic's cookbook recipe.
    GateRun run = drift("match");
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.report()["findings"].empty());
    CHECK(run.report()["checks"][0]["status"] == "passed");
  }

  TEST_CASE("a column added to a model only: at the attribute's line, with the command" *
            kEveryVersion) {
    GateRun run = drift("column_added");
    CHECK(run.exit_code == 1);
    nlohmann::json found = only_finding(run, "drift-missing-column");
    CHECK(found["severity"] == "error");
    CHECK(found["file"] == file_of("column_added", "models.py"));
    CHECK(found["line"] == 15);
    CHECK(found["message"] ==
          "column users.nickname (VARCHAR(50)) is in the models but no migration creates it");
    CHECK(contains(found["help"], std::string(kGenerate) + "\"add users.nickname\"`"));
  }

  TEST_CASE("a column dropped from the model only: at the mapped class") {
    GateRun run = drift("column_dropped");
    CHECK(run.exit_code == 1);
    nlohmann::json found = only_finding(run, "drift-extra-column");
    CHECK(found["file"] == file_of("column_dropped", "models.py"));
    CHECK(found["line"] == 9);  // class User(Base):
    CHECK(found["message"] == "column users.name exists in the migrations but not in the models");
  }

  TEST_CASE("a type change with compare_type on") {
    GateRun run = drift("type_change");
    CHECK(run.exit_code == 1);
    nlohmann::json found = only_finding(run, "drift-type");
    CHECK(found["file"] == file_of("type_change", "models.py"));
    CHECK(found["line"] == 14);
    CHECK(found["message"] ==
          "column users.name has type VARCHAR(50) in the migrations but VARCHAR(100) in the "
          "models");
  }

  TEST_CASE("a nullability change") {
    GateRun run = drift("nullable_change");
    CHECK(run.exit_code == 1);
    nlohmann::json found = only_finding(run, "drift-nullable");
    CHECK(found["file"] == file_of("nullable_change", "models.py"));
    CHECK(found["line"] == 14);
    CHECK(found["message"] ==
          "column users.name is nullable in the migrations but not null in the models");
    CHECK(contains(found["help"], "\"make users.name not null\""));
  }

  TEST_CASE("an index only in a migration: at the Table(...) call of the model") {
    GateRun run = drift("index_only_in_migration");
    CHECK(run.exit_code == 1);
    nlohmann::json found = only_finding(run, "drift-index");
    CHECK(found["file"] == file_of("index_only_in_migration", "models.py"));
    CHECK(found["line"] == 17);  // posts = sa.Table(
    CHECK(found["message"] ==
          "index ix_posts_slug on posts (slug) exists in the migrations but not in the models");
  }

  TEST_CASE("what env.py's include_object leaves out passes, in strict mode too") {
    // A table and an index in the migrations only, with a comment on the index; a column in
    // both, with a comment in the models only.
    check_passes_strict_too("include_object");
  }

  TEST_CASE("without target_metadata: a notice that drift cannot be checked, not a pass") {
    GateRun run = drift("no_metadata");
    CHECK(run.exit_code == 0);
    nlohmann::json found = only_finding(run, "drift-no-metadata");
    CHECK(found["severity"] == "notice");
    CHECK(found["file"] == file_of("no_metadata", "migrations/env.py"));
    CHECK(found["line"] == 24);  // target_metadata = None
    CHECK(found["message"] ==
          "env.py gives autogenerate no target_metadata, so drift cannot be checked: the models "
          "were not compared with the migrations");
    CHECK(run.report()["checks"][0]["status"] == "unavailable");
  }

  TEST_CASE("an env.py that never runs the migrations online: env-failed, not no-metadata") {
    GateRun run = drift("no_run_migrations");
    CHECK(run.exit_code == 1);
    nlohmann::json found = only_finding(run, "drift-env-failed");
    CHECK(found["file"] == file_of("no_run_migrations", "migrations/env.py"));
    CHECK(found["line"] == 0);
    CHECK(found["message"] ==
          "env.py returned without calling context.run_migrations(), so drift was not checked: no "
          "database was compared with the models");
    CHECK(contains(found["help"], "call context.run_migrations() when env.py runs online"));
    CHECK(run.report()["checks"][0]["status"] == "failed");
  }

  TEST_CASE("a server_default difference is caught only in strict mode, as a warning") {
    nlohmann::json found = strict_only_finding("server_default");
    CHECK(found["severity"] == "warning");
    CHECK(found["file"] == file_of("server_default", "models.py"));
    CHECK(found["line"] == 25);
    CHECK(found["message"] ==
          "column posts.created_at: default none in the migrations, now() in the models");

    CHECK(drift("server_default", {"--drift-strict", "--fail-on", "warning"}).exit_code == 1);
    GateRun as_error =
        drift("server_default", {"--drift-strict", "--drift-strict-severity", "error"});
    CHECK(as_error.exit_code == 1);
    CHECK(only_finding(as_error, "drift-strict")["severity"] == "error");
  }

  TEST_CASE(
      "a CHECK constraint: caught in strict mode, by plain drift too on Alembic 1.19.0 and "
      "1.19.1" *
      kEveryVersion) {
    // Alembic 1.19.0 and 1.19.1 compare named CHECK constraints themselves (their
    // checkconstraint_byname plugin, no longer on by default from 1.19.2): plain drift finds it.
    const std::string& alembic = python_versions().alembic;
    if (alembic == "1.19.0" || alembic == "1.19.1") {
      for (std::vector<std::string> extra : {std::vector<std::string>{}, {"--drift-strict"}}) {
        GateRun run = drift("check_constraint", extra);
        CHECK(run.exit_code == 1);
        nlohmann::json found = only_finding(run, "drift-constraint");
        CHECK(found["file"] == file_of("check_constraint", "models.py"));
        CHECK(found["line"] == 27);
        CHECK(found["message"] ==
              "check constraint ck_posts_title_not_empty on posts is in the models but no "
              "migration creates it");
      }
    } else {
      nlohmann::json found = strict_only_finding("check_constraint");
      CHECK(found["file"] == file_of("check_constraint", "models.py"));
      CHECK(found["line"] == 27);
      CHECK(found["message"] ==
            "constraint ck_posts_title_not_empty on posts exists in the models but did not in the "
            "migrations");
    }
  }

  TEST_CASE("enum values, an index predicate: caught only in strict mode") {
    struct Expected {
      std::string_view fixture;
      int line;  ///< The column using the enum type; the index's name.
      std::string_view message;
    };
    for (const Expected& expected : {
             Expected{"enum_values", 38,
                      "enum type post_status: values 'draft', 'published', 'archived' in the "
                      "migrations, 'draft', 'published' in the models"},
             Expected{"partial_index", 27,
                      "index ix_posts_slug on posts: definition USING btree (slug) in the "
                      "migrations, USING btree (slug) WHERE ((slug)::text <> ''::text) in the "
                      "models"},
         }) {
      CAPTURE(expected.fixture);
      nlohmann::json found = strict_only_finding(expected.fixture);
      CHECK(found["file"] == file_of(expected.fixture, "models.py"));
      CHECK(found["line"] == expected.line);
      CHECK(found["message"] == expected.message);
    }
  }

  TEST_CASE("models using the migrations' extensions and enum types build in strict mode") {
    // posts.status: an enum type the migration creates, ENUM(create_type=False) in the models;
    // users.handle: citext; posts.public_id defaults to uuid-ossp's uuid_generate_v4().
    check_passes_strict_too("migration_types");
  }

  TEST_CASE("a DDL event listener of the models that needs a real connection stops nothing") {
    // Plain drift never runs create_all(). Strict mode runs it on a mock engine first, to learn
    // which enum types the models make; the listener fails there, so every enum type of the
    // migrations is made first and post_status's values (enum_values' finding) are not
    // compared; the log says so.
    GateRun plain = drift("ddl_listener");
    INFO(plain.err);
    CHECK(plain.exit_code == 0);
    CHECK(plain.report()["findings"].empty());

    GateRun strict = drift("ddl_listener", {"--drift-strict"});
    INFO(strict.err);
    CHECK(strict.exit_code == 0);
    CHECK(strict.report()["findings"].empty());
    CHECK(strict.err.find("drift-strict: could not tell which enum types metadata.create_all() "
                          "creates itself: AttributeError: 'NoneType' object has no attribute "
                          "'scalars' (at tests/fixtures/drift/ddl_listener/models.py:16); every "
                          "enum type of the migrations is made first, so the values of those the "
                          "models declare are not compared") != std::string::npos);
  }

  TEST_CASE("an Alembic without a part the worker relies on: the check cannot run, and says why") {
    // The fixture's env.py removes ScriptDirectory._upgrade_revs, as a future Alembic might.
    GateRun run = drift("alembic_changed");
    CHECK(run.exit_code == 3);
    nlohmann::json found = only_finding(run, "infrastructure");
    CHECK(contains(found["message"], "AlembicIncompatible: Alembic 1."));
    CHECK(contains(found["message"],
                   " has no ScriptDirectory._upgrade_revs, which alembic-gate uses as `alembic "
                   "upgrade` does (Alembic 1.8 to 1.19 have it); run alembic-gate with one of "
                   "those Alembic versions, and report this to alembic-gate; the check could not "
                   "run"));
    CHECK(run.report()["checks"][0]["status"] == "error");
  }

  TEST_CASE("a models module that raises on import: the finding names its file and line") {
    GateRun run = drift("models_import_error");
    CHECK(run.exit_code == 1);
    nlohmann::json found = only_finding(run, "drift-env-failed");
    CHECK(found["file"] == file_of("models_import_error", "models.py"));
    CHECK(found["line"] == 18);
    CHECK(found["message"] ==
          "env.py failed while comparing the models with the migrations: KeyError: 'premium' (at "
          "tests/fixtures/drift/models_import_error/models.py:18)");
  }

  TEST_CASE("migrations that cannot reach the heads: drift says it was not checked, at the line") {
    GateRun alone = drift("upgrade_fails");
    CHECK(alone.exit_code == 1);
    nlohmann::json found = only_finding(alone, "drift-upgrade-failed");
    CHECK(found["file"] ==
          file_of("upgrade_fails", "migrations/versions/9a8b7c6d5e4f_backfill_post_slugs.py"));
    CHECK(found["line"] == 20);
    CHECK(contains(found["message"],
                   "the migrations cannot bring an empty database to the heads, so drift was not "
                   "checked: ProgrammingError: (psycopg2.errors.UndefinedColumn) column \"titel\" "
                   "does not exist"));

    // After a roundtrip that stopped mid-history, drift starts from a fresh database.
    GateRun after_roundtrip =
        run_gate({"--format", "json", "--checks", "roundtrip,drift", "--database-url",
                  postgres_url(), "--working-directory", fixture("drift/upgrade_fails")});
    CHECK(after_roundtrip.exit_code == 1);
    CHECK(after_roundtrip.findings("upgrade-failed").size() == 1);
    std::vector<nlohmann::json> again = after_roundtrip.findings("drift-upgrade-failed");
    REQUIRE(again.size() == 1);
    CHECK(again[0]["line"] == 20);
    check_scratch_dropped(after_roundtrip);
  }

  TEST_CASE("several MetaData objects: a mixin's column is placed in the mixin") {
    GateRun run = drift("several_metadata");
    CHECK(run.exit_code == 1);
    nlohmann::json found = only_finding(run, "drift-missing-column");
    CHECK(found["file"] == file_of("several_metadata", "app/mixins.py"));
    CHECK(found["line"] == 7);
    CHECK(found["message"] ==
          "column invoices.updated_at (TIMESTAMP WITH TIME ZONE) is in the models but no "
          "migration creates it");
  }

  TEST_CASE("an env.py migrating several databases: the differences of each are found") {
    GateRun run = drift("multi_database");
    CHECK(run.exit_code == 1);
    std::vector<nlohmann::json> found = run.findings("drift-missing-column");
    REQUIRE(found.size() == 2);
    CHECK(found[0]["message"] ==
          "column users.nickname (VARCHAR(50)) is in the models but no migration creates it");
    CHECK(found[0]["file"] == file_of("multi_database", "models.py"));
    CHECK(found[0]["line"] == 13);
    CHECK(found[1]["message"] ==
          "column audit_events.source (VARCHAR(100)) is in the models but no migration creates "
          "it");
    CHECK(found[1]["line"] == 21);
    CHECK(found[1]["file"] == file_of("multi_database", "models.py"));
  }

  TEST_CASE("strict mode on an env.py migrating several databases compares each default schema") {
    // The audit database's default schema is `audit` (its connection's search_path): the server
    // default its models have and its migration lacks is found there, at the column.
    GateRun run = drift("multi_database", {"--drift-strict"});
    INFO(run.err);
    CHECK(run.exit_code == 1);
    CHECK(run.findings("drift-missing-column").size() == 2);
    CHECK(run.report()["findings"].size() == 3);
    std::vector<nlohmann::json> found = run.findings("drift-strict");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["file"] == file_of("multi_database", "models.py"));
    CHECK(found[0]["line"] == 20);
    CHECK(found[0]["message"] ==
          "column audit.audit_events.what: default none in the migrations, 'unknown'::text in the "
          "models");
  }

  TEST_CASE("after the roundtrip, drift reuses its database at the heads") {
    std::vector<std::string> before = revision_files();
    GateRun run = run_gate({"--format", "json", "--checks", "roundtrip,drift", "--database-url",
                            postgres_url(), "--working-directory", fixture("drift/type_change")});
    CHECK(revision_files() == before);
    CHECK(run.exit_code == 1);
    CHECK(only_finding(run, "drift-type")["line"] == 14);
    size_t created = 0;
    for (size_t at = run.err.find(" created; "); at != std::string::npos;
         at = run.err.find(" created; ", at + 1))
      ++created;
    CHECK(created == 1);
    check_scratch_dropped(run);
  }

  TEST_CASE("examples/blog passes, with the roundtrip and in strict mode" * kEveryVersion) {
    GateRun run = run_gate({"--format", "json", "--checks", "roundtrip,drift", "--drift-strict",
                            "--database-url", postgres_url(), "--working-directory",
                            AG_SOURCE_DIR "/examples/blog"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.report()["findings"].empty());
    CHECK(run.report()["checks"][1]["name"] == "drift");
    CHECK(run.report()["checks"][1]["status"] == "passed");
    check_scratch_dropped(run);
  }

  TEST_CASE("every rule is in the catalog once, with the check's name") {
    std::vector<std::string_view> ids;
    for (const RuleInfo& rule : checks::drift::rules()) {
      CHECK(rule.check == "drift");
      CHECK(rule.id.starts_with("drift-"));
      CHECK(!rule.summary.empty());
      CHECK(!rule.help.empty());
      ids.push_back(rule.id);
    }
    std::sort(ids.begin(), ids.end());
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
    CHECK(ids.size() == 16);
  }
}

}  // namespace ag::test
