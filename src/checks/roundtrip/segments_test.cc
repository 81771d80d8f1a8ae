#include "checks/roundtrip/segments.h"

#include <doctest/doctest.h>

#include "support/temp_dir.h"

namespace ag::checks::roundtrip {
namespace {

/// The segments as "begin-end" pieces, for readable comparisons.
std::vector<std::string> pieces(const std::vector<Segment>& segments) {
  std::vector<std::string> out;
  for (const Segment& segment : segments)
    out.push_back(std::to_string(segment.begin) + "-" + std::to_string(segment.end));
  return out;
}

project::Project project_in(const test::TempDir& folder, std::string_view env,
                            std::string_view revision) {
  project::Project project;
  project.repository_root = folder.path();
  project.script_location = folder.path() / "migrations";
  folder.write("migrations/env.py", env);
  project.revision_files = {folder.write("migrations/versions/a1_first.py", revision)};
  return project;
}

}  // namespace

TEST_SUITE("roundtrip segments") {
  TEST_CASE("roundtrip-jobs: a number is taken as it is, 0 follows the cores from 100 revisions") {
    CHECK(segment_count(35, 3, 2) == 3);
    CHECK(segment_count(2, 3, 2) == 2);  // never more than the revisions
    CHECK(segment_count(0, 3, 2) == 1);
    CHECK(segment_count(99, 0, 8) == 1);
    CHECK(segment_count(100, 0, 2) == 2);
    CHECK(segment_count(500, 0, 16) == 4);
    CHECK(segment_count(500, 0, 0) == 1);  // the cores unknown
    CHECK(segment_count(500, 1, 8) == 1);
    CHECK(segment_count(500, 64, 2) == 16);  // kMaximumJobs
  }

  TEST_CASE("the segments cover the history in order, later ones shorter: they end together") {
    CHECK(pieces(split(35, 1)) == std::vector<std::string>{"0-35"});
    // Judging costs four plain upgrades: the second segment upgrades 20 plainly (20 units)
    // and judges 15 (60), the first judges 20 (80).
    CHECK(pieces(split(35, 2)) == std::vector<std::string>{"0-20", "20-35"});
    CHECK(pieces(split(35, 4)) == std::vector<std::string>{"0-13", "13-22", "22-30", "30-35"});
    CHECK(pieces(split(35, 5)) ==
          std::vector<std::string>{"0-11", "11-20", "20-27", "27-31", "31-35"});
    CHECK(pieces(split(500, 2)) == std::vector<std::string>{"0-286", "286-500"});
    CHECK(pieces(split(500, 4)) ==
          std::vector<std::string>{"0-183", "183-320", "320-423", "423-500"});
    CHECK(pieces(split(2, 4)) == std::vector<std::string>{"0-1", "1-2"});
    CHECK(pieces(split(5, 5)) == std::vector<std::string>{"0-2", "2-3", "3-4", "4-5"});
    CHECK(pieces(split(0, 1)) == std::vector<std::string>{"0-0"});  // env.py still runs
  }

  TEST_CASE("migrations acting on what databases share are found in env.py and the revisions") {
    test::TempDir folder;
    CHECK_FALSE(shared_by_databases(project_in(folder, "import alembic\n", "op.add_column()\n")));
    CHECK(shared_by_databases(
              project_in(folder, "conn.execute(text('ALTER SYSTEM SET work_mem = 1'))\n", "")) ==
          "migrations/env.py: alter system");
    // An advisory lock's key belongs to one database; a user mapping too.
    CHECK_FALSE(shared_by_databases(
        project_in(folder, "conn.execute(text('SELECT pg_advisory_lock(1)'))\n",
                   "op.execute('CREATE USER MAPPING FOR CURRENT_USER SERVER s')\n")));
    CHECK(shared_by_databases(project_in(folder, "", "op.execute('CREATE ROLE reader')\n")) ==
          "migrations/versions/a1_first.py: create role");
    CHECK(shared_by_databases(project_in(folder, "", "op.execute(\"ALTER\n  USER app\")\n")) ==
          "migrations/versions/a1_first.py: alter user");
    // A docstring, a comment, part of a longer name.
    CHECK_FALSE(shared_by_databases(project_in(
        folder, "", "\"\"\"Create role invitation table\"\"\"\n# alter user\ncreate_role_x()\n")));
    CHECK(shared_by_databases(project_in(folder, "", "sa.select(sa.func.dblink_exec('x', 'y'))")) ==
          "migrations/versions/a1_first.py: dblink");
    CHECK(shared_by_databases(project_in(folder, "", "op.execute('CREATE GROUP readers')")) ==
          "migrations/versions/a1_first.py: create group");
  }
}

}  // namespace ag::checks::roundtrip
