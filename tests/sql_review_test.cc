// The revisions' SQL for review end to end: the sql-file and the job summary's section, from
// real Alembic run offline through the project's env.py, compared with what plain `alembic
// upgrade --sql` and `alembic downgrade --sql` print for each revision alone.
#include <doctest/doctest.h>

#include <filesystem>
#include <regex>

#include "process/subprocess.h"
#include "support/run_gate.h"
#include "support/temp_dir.h"
#include "util/file.h"

namespace ag::test {
namespace {

// Run in every cell of the version matrix too (tests/README.md): what Alembic prints offline
// is its own.
const doctest::test_suite kEveryVersion("sql review: every version");

namespace fs = std::filesystem;

constexpr std::string_view kRule =
    "-- ------------------------------------------------------------------------------\n";

/// One revision's part of the sql-file.
struct FileSection {
  std::string revision;
  std::string parent;  ///< From Alembic's "-- Running upgrade PARENT -> REVISION".
  std::string upgrade;
  std::string downgrade;
};

/// The sql-file cut at its headers: what follows "-- Upgrade" up to "-- Downgrade", and what
/// follows that up to the next header.
std::vector<FileSection> sections_of(const std::string& text) {
  std::vector<FileSection> sections;
  const std::string start = "\n" + std::string(kRule) + "-- Revision ";
  for (size_t at = text.find(start); at != std::string::npos;) {
    size_t next = text.find(start, at + 1);
    std::string part = text.substr(at, next == std::string::npos ? next : next - at);
    FileSection section;
    std::smatch id;
    REQUIRE(std::regex_search(part, id, std::regex("-- Revision ([0-9a-f]+)")));
    section.revision = id[1];
    size_t up = part.find("-- Upgrade\n");
    size_t down = part.find("\n-- Downgrade\n");
    REQUIRE(up != std::string::npos);
    REQUIRE(down != std::string::npos);
    section.upgrade = part.substr(up + 11, down - up - 11);
    section.downgrade = part.substr(down + 14);
    std::smatch running;
    REQUIRE(std::regex_search(section.upgrade, running,
                              std::regex("-- Running upgrade ([0-9a-f]*) -> " + section.revision)));
    section.parent = running[1];
    sections.push_back(section);
    at = next;
  }
  return sections;
}

/// What `alembic COMMAND RANGE --sql` prints in `project` (the interpreter the worker runs:
/// PYTHONPATH carries the matrix cell's Alembic to both).
std::string alembic_sql(const std::string& project, const std::string& command,
                        const std::string& range) {
  Result<process::Completed> done =
      process::run({"/usr/bin/python3", "-m", "alembic", "-c", project + "/alembic.ini", command,
                    range, "--sql"});
  REQUIRE(done.ok());
  INFO(done->err);
  REQUIRE(done->success());
  return done->out;
}

std::string contents(const fs::path& path) {
  Result<std::string> text = read_file(path);
  REQUIRE_MESSAGE(text.ok(), path.string());
  return *text;
}

GateRun lint_with_sql(const std::string& project, const TempDir& out,
                      std::map<std::string, std::string> env = {}) {
  return run_gate({"--format", "json", "--checks", "lint", "--working-directory", project,
                   "--python", "/usr/bin/python3", "--sql-file",
                   (out.path() / "review.sql").string(), "--fail-on", "never"},
                  env);
}

}  // namespace

TEST_SUITE("sql review") {
  TEST_CASE("sql-file: each revision's SQL is what plain Alembic prints for it alone" *
            kEveryVersion) {
    TempDir out;
    std::string blog = AG_SOURCE_DIR "/examples/blog";
    GateRun run = lint_with_sql(blog, out);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    std::string text = contents(out.path() / "review.sql");
    CHECK(text.starts_with("-- alembic-gate "));
    std::vector<FileSection> sections = sections_of(text);
    REQUIRE(sections.size() == 8);  // every revision, in upgrade order
    CHECK(sections.front().revision == "3f9c2a1b7d40");
    CHECK(sections.back().revision == "b58f0c71e3d6");
    for (const FileSection& section : sections) {
      CAPTURE(section.revision);
      std::string parent = section.parent.empty() ? "base" : section.parent;
      std::string range =
          section.parent.empty() ? section.revision : section.parent + ":" + section.revision;
      CHECK(section.upgrade == alembic_sql(blog, "upgrade", range));
      CHECK(section.downgrade == alembic_sql(blog, "downgrade", section.revision + ":" + parent));
    }
    CHECK(text.find("-- File: examples/blog/migrations/versions/c27b5e9f04a1_add_indexes_on_posts"
                    ".py\n") != std::string::npos);
    CHECK(run.err.find("lint: the SQL of 8 revisions for review") != std::string::npos);
  }

  TEST_CASE("a revision that cannot be rendered offline says why in its block, the rest show") {
    TempDir out;
    std::string project = fixture("lint_sql/unparsable");
    std::map<std::string, std::string> env{
        {"GITHUB_STEP_SUMMARY", (out.path() / "summary.md").string()},
        {"GITHUB_OUTPUT", (out.path() / "outputs.txt").string()}};
    GateRun run = lint_with_sql(project, out, env);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    std::string text = contents(out.path() / "review.sql");
    std::string failing =
        "tests/fixtures/lint_sql/unparsable/migrations/versions/"
        "8b9c0d1e2f08_backfill_reads_rows.py";
    CHECK(text.find("-- The upgrade's SQL stops here: it raised in offline mode at " + failing +
                    ":21: AttributeError: 'NoneType' object has no attribute 'fetchall'\n") !=
          std::string::npos);
    CHECK(text.find("-- Revision 9c0d1e2f3a09") != std::string::npos);  // the next one still
    std::string summary = contents(out.path() / "summary.md");
    CHECK(summary.find("#### SQL to review") != std::string::npos);
    CHECK(summary.find("<details><summary><code>8b9c0d1e2f08</code>") != std::string::npos);
    CHECK(summary.find("⚠️ not all of it renders offline") != std::string::npos);
    // lint's finding at the drop of 7a8b9c0d1e07 (line 21), marked above its statement.
    CHECK(summary.find("-- ▼ warning ban-drop-column (line 21): DROP COLUMN account.name breaks "
                       "every running instance") != std::string::npos);
    std::regex marked(
        "-- ▼ warning ban-drop-column [^\n]*\nSET lock_timeout = '2s'; ALTER TABLE "
        "account DROP COLUMN name;");
    CHECK(std::regex_search(summary, marked));
    CHECK(contents(out.path() / "outputs.txt").find("sql-file=") != std::string::npos);
  }

  TEST_CASE("sql-file without lint among the checks says so, and an unwritable one is exit 2") {
    TempDir out;
    std::string blog = AG_SOURCE_DIR "/examples/blog";
    GateRun run = run_gate({"--format", "json", "--checks", "heads", "--working-directory", blog,
                            "--sql-file", (out.path() / "review.sql").string()});
    CHECK(run.exit_code == 0);
    CHECK(contents(out.path() / "review.sql").find("-- None: neither lint nor pending ran.\n") !=
          std::string::npos);
    std::string missing = (out.path() / "gone" / "review.sql").string();
    GateRun unwritable = run_gate({"--format", "json", "--checks", "heads", "--working-directory",
                                   blog, "--sql-file", missing});
    CHECK(unwritable.exit_code == 2);
    CHECK(unwritable.err.find(missing + ": cannot write the SQL file (sql-file): No such file") !=
          std::string::npos);
  }
}

}  // namespace ag::test
