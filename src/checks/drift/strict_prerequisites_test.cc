#include "checks/drift/strict_prerequisites.h"

#include <doctest/doctest.h>

#include "catalog/snapshot_diff.h"
#include "pg/pg_test_support.h"

namespace ag::checks::drift {
namespace {

using pg::testing::open;
using pg::testing::run;

/// What the prerequisites are about, from a snapshot of `connection`.
catalog::Snapshot types_and_extensions(pg::Connection& connection) {
  Result<catalog::Snapshot> snapshot = catalog::take_snapshot(connection);
  REQUIRE_MESSAGE(snapshot.ok(), (snapshot.ok() ? "" : snapshot.error().message));
  catalog::Snapshot kept;
  for (const auto& [key, values] : snapshot->objects) {
    if (key.kind == "schema" || key.kind == "extension" || key.kind == "enum type" ||
        key.kind == "domain" || key.kind == "domain constraint")
      kept.objects.emplace(key, values);
  }
  return kept;
}

/// The statements that failed and why, for a failed check's message.
std::string described(const std::vector<FailedStatement>& failed) {
  std::string text;
  for (const FailedStatement& failure : failed)
    text += failure.statement + ": " + failure.error.message + "\n";
  return text;
}

}  // namespace

TEST_SUITE("drift-strict prerequisites") {
  TEST_CASE("the migrations' extensions, enum types and domains are recreated as they are") {
    pg::ScratchDatabase migrated_database = pg::testing::scratch_database();
    pg::ScratchDatabase built_database = pg::testing::scratch_database();
    pg::Connection migrated = open(migrated_database.params());
    pg::Connection built = open(built_database.params());
    run(migrated, R"sql(
      CREATE SCHEMA ext;
      CREATE EXTENSION citext WITH SCHEMA ext;
      CREATE EXTENSION "uuid-ossp";
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'it''s fine');
      CREATE TYPE made_by_models AS ENUM ('on', 'off');
      CREATE SCHEMA billing;
      CREATE TYPE billing.currency AS ENUM ('EUR', 'USD');
      CREATE DOMAIN positive_int AS integer DEFAULT 1 NOT NULL CONSTRAINT positive CHECK (VALUE > 0);
      CREATE DOMAIN code AS text COLLATE "C" CHECK (VALUE ~ '^[A-Z]+$');
      ALTER DOMAIN code ADD CONSTRAINT code_short CHECK (length(VALUE) < 10) NOT VALID;
      CREATE DOMAIN handle AS ext.citext;
      CREATE DOMAIN billing.cheerful AS mood CHECK (VALUE <> 'sad');
      CREATE DOMAIN amount AS positive_int CHECK (VALUE < 1000000);
      CREATE COLLATION billing.c_copy FROM "C";
      CREATE DOMAIN billing.code AS text COLLATE billing.c_copy;
      SET search_path = billing, public;
      CREATE DOMAIN billing.price_currency AS currency DEFAULT 'EUR';
      RESET search_path;
    )sql");
    // Collations are not recreated: one the models' database has (from its template, say).
    run(built, R"sql(CREATE SCHEMA billing; CREATE COLLATION billing.c_copy FROM "C")sql");
    catalog::Snapshot expected = types_and_extensions(migrated);

    // amount, over positive_int, sorts before it: made on the second pass. price_currency's
    // default was written under another search_path ('EUR'::currency) and reads qualified.
    std::vector<alembic::ModelType> created{{"", "made_by_models", "", "switches", "state"}};
    std::vector<FailedStatement> failed =
        run_in_dependency_order(built, prerequisite_statements(expected, created, {"public"}));
    CHECK_MESSAGE(failed.empty(), described(failed));

    CHECK(catalog::diff_snapshots(expected, types_and_extensions(built)) ==
          std::vector<std::string>{"enum type made_by_models is missing after but existed before"});
  }

  TEST_CASE("plpgsql is left alone, schemas come first, types the models make are left out") {
    using catalog::ObjectKey;
    catalog::Snapshot migrated;
    migrated.objects = {
        {ObjectKey{"extension", "", "", "plpgsql"}, {"1.0", "pg_catalog"}},
        {ObjectKey{"extension", "", "", "citext"}, {"1.6", "ext"}},
        {ObjectKey{"enum type", "app", "", "status"}, {"'a', 'b'", "postgres", std::nullopt}},
        {ObjectKey{"enum type", "public", "", "mood"}, {"'sad'", "postgres", std::nullopt}},
    };
    std::vector<alembic::ModelType> created{{"", "mood", "", "", ""}};
    CHECK(prerequisite_statements(migrated, created, {"public"}) ==
          std::vector<std::string>{
              R"(CREATE SCHEMA IF NOT EXISTS "app")",
              R"(CREATE SCHEMA IF NOT EXISTS "ext")",
              R"(CREATE EXTENSION IF NOT EXISTS "citext" WITH SCHEMA "ext" VERSION '1.6')",
              R"(CREATE TYPE "app"."status" AS ENUM ('a', 'b'))",
          });
    // The same name in another schema than the models' default one is not theirs.
    CHECK(prerequisite_statements(migrated, created, {"audit"}).back() ==
          R"(CREATE TYPE "public"."mood" AS ENUM ('sad'))");
  }

  TEST_CASE("statements that keep failing are returned, once the others are made") {
    pg::ScratchDatabase database = pg::testing::scratch_database();
    pg::Connection connection = open(database.params());
    std::vector<FailedStatement> failed =
        run_in_dependency_order(connection, {"CREATE DOMAIN over_b AS b", "CREATE DOMAIN c AS nope",
                                             "CREATE DOMAIN b AS a", "CREATE DOMAIN a AS integer"});
    REQUIRE(failed.size() == 1);
    CHECK(failed[0].statement == "CREATE DOMAIN c AS nope");
    CHECK(failed[0].error.message.find("type \"nope\" does not exist") != std::string::npos);
    CHECK(pg::testing::query_value(connection,
                                   "SELECT count(*) FROM pg_type WHERE typname IN ('a', 'b', "
                                   "'over_b')") == "3");
  }
}

}  // namespace ag::checks::drift
