// Each revision's SQL alone from one offline run through many: what comes before the first step
// and after the last one belongs to every revision, as a run of that revision alone prints it.
#include "alembic/revision_sql.h"

#include <doctest/doctest.h>

namespace ag::alembic {
namespace {

EmittedSql text(std::string sql, std::string revision, SqlOrigin origin, int line = 0) {
  return {std::move(sql), std::move(revision), origin, line};
}

}  // namespace

TEST_CASE("revisions_sql: env.py's preamble and the closing COMMIT frame each revision") {
  OfflineSql run{
      {text("SET lock_timeout = '5s';\n\n", "", SqlOrigin::env, 12),
       text("BEGIN;\n\n", "", SqlOrigin::alembic),
       text("CREATE TABLE a (id INT);\n\n", "r1", SqlOrigin::revision, 20),
       text("CREATE TABLE b (id INT);\n\n", "r2", SqlOrigin::revision, 21),
       text("UPDATE alembic_version SET version_num='r2';\n\n", "r2", SqlOrigin::alembic),
       text("COMMIT;\n\n", "", SqlOrigin::alembic)},
      {{"r2", Error{"boom", "/repo/migrations/versions/r2.py", 22}}}};
  std::vector<OfflineDowngrade> downgrades = {
      {"r2", {text("DROP TABLE b;\n\n", "r2", SqlOrigin::revision, 30)}, std::nullopt}};
  std::vector<RevisionInfo> known = {{.id = "r2",
                                      .down_revisions = {},
                                      .depends_on = {},
                                      .path = "/repo/migrations/versions/r2.py",
                                      .doc = "\n  add b\n\nmore"}};
  std::vector<RevisionSql> sql = revisions_sql({"r2"}, run, downgrades, known, "/repo");
  REQUIRE(sql.size() == 1);
  const RevisionSql& r2 = sql[0];
  CHECK(r2.message == "add b");
  CHECK(r2.file == "migrations/versions/r2.py");
  std::vector<std::string> upgrade;
  for (const SqlText& t : r2.upgrade) upgrade.push_back(t.sql);
  CHECK(upgrade == std::vector<std::string>{
                       "SET lock_timeout = '5s';\n\n", "BEGIN;\n\n", "CREATE TABLE b (id INT);\n\n",
                       "UPDATE alembic_version SET version_num='r2';\n\n", "COMMIT;\n\n"});
  CHECK(r2.upgrade[0].line == 0);  // env.py's line is no line of the revision file
  CHECK(r2.upgrade[2].line == 21);
  CHECK(r2.upgrade_failure == "raised in offline mode at migrations/versions/r2.py:22: boom");
  REQUIRE(r2.downgrade.size() == 1);
  CHECK(r2.downgrade[0].line == 30);
}

}  // namespace ag::alembic
