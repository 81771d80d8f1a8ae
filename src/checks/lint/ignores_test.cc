// Ignore comments: where they apply, and which ones are bad-ignore findings instead.
#include "checks/lint/ignores.h"

#include <doctest/doctest.h>

#include <array>
#include <string>

namespace ag::checks::lint {
namespace {

constexpr std::array kRules = {
    RuleInfo{"ban-drop-column", "lint", Severity::error, "", "", ""},
    RuleInfo{"empty-downgrade", "lint", Severity::warning, "", "", ""},
};

Finding finding(std::string rule, int line) {
  return {.check = "lint",
          .rule = std::move(rule),
          .severity = Severity::error,
          .message = "m",
          .file = "v.py",
          .line = line,
          .end_line = line};
}

struct Read {
  MigrationFile file;
  Ignores ignores;
  explicit Read(std::string source) : file(std::move(source)), ignores(file, "v.py", kRules) {}
};

}  // namespace

TEST_SUITE("lint/ignores") {
  TEST_CASE("on the statement's own line, or any line of it") {
    Read read(
        "def upgrade():\n"
        "    op.drop_column('t', 'a')  # alembic-gate: ignore[ban-drop-column] unused since v3\n"
        "    op.drop_column(\n"
        "        't',  # alembic-gate: ignore[ban-drop-column] dropped with the feature\n"
        "        'b',\n"
        "    )\n"
        "    op.drop_column('t', 'c')\n");
    CHECK(read.ignores.problems().empty());
    REQUIRE(read.ignores.ignores().size() == 2);
    CHECK(read.ignores.ignores()[0].reason == "unused since v3");
    CHECK(read.ignores.covers(finding("ban-drop-column", 2)));
    CHECK(read.ignores.covers(finding("ban-drop-column", 3)));
    CHECK(read.ignores.covers(finding("ban-drop-column", 6)));
    CHECK_FALSE(read.ignores.covers(finding("ban-drop-column", 7)));
    CHECK_FALSE(read.ignores.covers(finding("empty-downgrade", 2)));
  }

  TEST_CASE("in the block of comment lines right above the statement") {
    Read read(
        "def upgrade():\n"
        "    # alembic-gate: ignore[ban-drop-column] the column was never read\n"
        "    # (see issue 12)\n"
        "    op.drop_column('t', 'a')\n"
        "    # alembic-gate: ignore[ban-drop-column] separated by a blank line\n"
        "\n"
        "    op.drop_column('t', 'b')\n"
        "    x = 1  # alembic-gate: ignore[ban-drop-column] on another statement\n"
        "    op.drop_column('t', 'c')\n");
    CHECK(read.ignores.covers(finding("ban-drop-column", 4)));
    CHECK_FALSE(read.ignores.covers(finding("ban-drop-column", 7)));
    CHECK_FALSE(read.ignores.covers(finding("ban-drop-column", 9)));
  }

  TEST_CASE("ignore-file covers the rule anywhere in the file, also findings without a line") {
    Read read(
        "# alembic-gate: ignore-file[ban-drop-column, empty-downgrade] -- a one-off cleanup\n"
        "def upgrade():\n"
        "    op.drop_column('t', 'a')\n");
    REQUIRE(read.ignores.ignores().size() == 1);
    CHECK(read.ignores.ignores()[0].whole_file);
    CHECK(read.ignores.ignores()[0].reason == "a one-off cleanup");
    CHECK(read.ignores.covers(finding("ban-drop-column", 3)));
    CHECK(read.ignores.covers(finding("empty-downgrade", 0)));
  }

  TEST_CASE("an ignore after another comment on the same line counts") {
    Read read(
        "op.drop_column('t', 'a')  # noqa: E501  # alembic-gate: ignore[ban-drop-column] ok\n");
    CHECK(read.ignores.covers(finding("ban-drop-column", 1)));
  }

  TEST_CASE("on a batch block's with statement: every statement of the block") {
    Read read(
        "def upgrade():\n"
        "    with op.batch_alter_table('t') as batch_op:  # alembic-gate: ignore[ban-drop-column] "
        "unused since v3\n"
        "        batch_op.drop_column('a')\n"
        "        if True:\n"
        "            batch_op.drop_column('b')\n"
        "    op.drop_column('t', 'c')\n"
        "    # alembic-gate: ignore[ban-drop-column] the comment lines above the with count too\n"
        "    with op.batch_alter_table(\n"
        "        't',\n"
        "    ) as batch_op:\n"
        "        batch_op.drop_column('d')\n"
        "    with op.batch_alter_table('u') as batch_op:\n"
        "        batch_op.drop_column('e')\n"
        "    with open('x') as f:  # alembic-gate: ignore[ban-drop-column] not a batch\n"
        "        op.drop_column('t', 'f')\n");
    REQUIRE(read.ignores.ignores().size() == 3);
    CHECK(read.ignores.covers(finding("ban-drop-column", 3)));
    CHECK(read.ignores.covers(finding("ban-drop-column", 5)));        // nested deeper in the block
    CHECK_FALSE(read.ignores.covers(finding("ban-drop-column", 6)));  // after the block
    CHECK_FALSE(read.ignores.covers(finding("empty-downgrade", 3)));  // another rule
    CHECK(read.ignores.covers(finding("ban-drop-column", 11)));
    CHECK_FALSE(read.ignores.covers(finding("ban-drop-column", 13)));  // a block without one
    CHECK_FALSE(read.ignores.covers(finding("ban-drop-column", 15)));  // not a batch block
  }

  TEST_CASE("bad ignores silence nothing and are findings on their line") {
    Read read(
        "op.drop_column('t', 'a')  # alembic-gate: ignore[ban-drop-column]\n"
        "op.drop_column('t', 'b')  # alembic-gate: ignore[ban-drop-colum] typo\n"
        "op.drop_column('t', 'c')  # alembic-gate: ignore ban-drop-column because\n"
        "op.drop_column('t', 'd')  # alembic-gate: ignore[] nothing named\n"
        "op.drop_column('t', 'e')  # alembic-gate: ignore[ban-drop-column reason\n"
        "op.drop_column('t', 'f')  # alembic-gate: skip[ban-drop-column] reason\n"
        "op.drop_column('t', 'g')  # alembic-gate: ignore[ban-drop-column] ---\n");
    CHECK(read.ignores.ignores().empty());
    const Findings& bad = read.ignores.problems();
    REQUIRE(bad.size() == 7);
    for (int line = 1; line <= 7; ++line) {
      CAPTURE(line);
      CHECK(bad[static_cast<size_t>(line - 1)].rule == "bad-ignore");
      CHECK(bad[static_cast<size_t>(line - 1)].line == line);
      CHECK(bad[static_cast<size_t>(line - 1)].file == "v.py");
      CHECK_FALSE(read.ignores.covers(finding("ban-drop-column", line)));
    }
    CHECK(bad[0].message ==
          "the ignore of ban-drop-column gives no reason; it silences nothing until it says why "
          "the rule does not apply here");
    CHECK(bad[1].message ==
          "the ignore names 'ban-drop-colum', which is not a lint rule; it silences nothing");
    CHECK(bad[2].message ==
          "cannot read the alembic-gate comment \"# alembic-gate: ignore ban-drop-column "
          "because\": write `# alembic-gate: ignore[rule-id] reason`");
    CHECK(bad[3].message == "the ignore \"# alembic-gate: ignore[] nothing named\" names no rule");
    CHECK(bad[4].message ==
          "the rule list of \"# alembic-gate: ignore[ban-drop-column reason\" has no closing ]");
    CHECK(bad[6].message.starts_with("the ignore of ban-drop-column gives no reason"));
  }

  TEST_CASE("a bad-ignore finding cannot itself be ignored") {
    Read read("# alembic-gate: ignore-file[bad-ignore] never\n");
    CHECK_FALSE(read.ignores.covers(finding("bad-ignore", 1)));
  }

  TEST_CASE("a string that looks like an ignore comment is not one") {
    Read read("op.execute('# alembic-gate: ignore[ban-drop-column] x')\n");
    CHECK(read.ignores.ignores().empty());
    CHECK(read.ignores.problems().empty());
  }
}

}  // namespace ag::checks::lint
