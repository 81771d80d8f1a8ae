// The static lint rules on migration sources written in the test: each rule's trigger, the safe
// form next to it, and the lines findings point at.
#include "checks/lint/static_rules.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "support/temp_dir.h"

namespace ag::checks::lint {
namespace {

namespace fs = std::filesystem;

/// A project rooted at `root` with its migrations in root/migrations.
project::Project project_at(const fs::path& root) {
  project::Project project;
  project.working_directory = root;
  project.repository_root = root;
  project.script_location = root / "migrations";
  project.version_locations = {root / "migrations" / "versions"};
  project.file_template = "%(rev)s_%(slug)s";
  return project;
}

/// The findings of the static rules on `source`, read as `file_name` in the project at `root`.
Findings lint(std::string_view source, std::string_view file_name = "abc123_add_things.py",
              const fs::path& root = "/nonexistent/repo") {
  project::Project project = project_at(root);
  ApplicationModules modules(project);
  graph::RevisionScript script =
      graph::read_revision_script(source, project.version_locations[0] / file_name);
  MigrationFile file{std::string(source)};
  return static_findings(script, file, {project, modules});
}

/// The findings of one rule.
Findings of(const Findings& findings, std::string_view rule) {
  Findings out;
  for (const Finding& f : findings) {
    if (f.rule == rule) out.push_back(f);
  }
  return out;
}

/// A well-formed migration with `body` as the upgrade's and `down` as the downgrade's body.
std::string migration(std::string_view upgrade, std::string_view downgrade = "    pass\n",
                      std::string_view header = "\"\"\"add things\n\nRevision ID: abc123\n\"\"\"\n",
                      std::string_view down_revision = "'000000'") {
  return std::string(header) +
         "from alembic import op\n"
         "import sqlalchemy as sa\n"
         "\n"
         "revision = 'abc123'\n"
         "down_revision = " +
         std::string(down_revision) +
         "\n"
         "\n"
         "\n"
         "def upgrade():\n" +
         std::string(upgrade) +
         "\n"
         "\n"
         "def downgrade():\n" +
         std::string(downgrade);
}

const std::string kAddColumn = "    op.add_column('users', sa.Column('bio', sa.Text()))\n";
const std::string kDropColumn = "    op.drop_column('users', 'bio')\n";

}  // namespace

TEST_SUITE("lint/static_rules") {
  TEST_CASE("a well-formed migration has no findings") {
    CHECK(lint(migration(kAddColumn, kDropColumn)).empty());
  }

  TEST_CASE("missing-docstring: on line 1, with the rule's severity and the revision") {
    Findings found = of(lint(migration(kAddColumn, kDropColumn, "")), "missing-docstring");
    REQUIRE(found.size() == 1);
    CHECK(found[0].check == "lint");
    CHECK(found[0].severity == Severity::warning);
    CHECK(found[0].line == 1);
    CHECK(found[0].revision == "abc123");
    CHECK(found[0].file == "migrations/versions/abc123_add_things.py");
    CHECK(found[0].message ==
          "the migration has no docstring, so Alembic shows no message for it in `alembic "
          "history`");
  }

  TEST_CASE("empty-message: Alembic's and Flask-Migrate's placeholder, or no message line") {
    for (std::string_view header :
         {"\"\"\"empty message\n\nRevision ID: abc123\n\"\"\"\n", "\"\"\"Empty Message\"\"\"\n",
          "\"\"\"\nRevision ID: abc123\nRevises: 000000\n\"\"\"\n", "\"\"\"   \"\"\"\n"}) {
      CAPTURE(header);
      Findings found = of(lint(migration(kAddColumn, kDropColumn, header)), "empty-message");
      REQUIRE(found.size() == 1);
      CHECK(found[0].line == 1);
    }
    Findings found = of(lint(migration(kAddColumn, kDropColumn,
                                       "# -*- coding: utf-8 -*-\n\"\"\"empty message\"\"\"\n")),
                        "empty-message");
    REQUIRE(found.size() == 1);
    CHECK(found[0].line == 2);
    CHECK(found[0].message ==
          "the migration's message is \"empty message\", the placeholder `alembic revision` "
          "writes when -m is not given");
    CHECK(
        of(lint(migration(kAddColumn, kDropColumn, "'''Add the bio column'''\n")), "empty-message")
            .empty());
  }

  TEST_CASE("empty-upgrade: only pass, a docstring or ..., spans the function") {
    for (std::string_view body : {"    pass\n", "    \"\"\"Nothing yet.\"\"\"\n    pass\n",
                                  "    ...\n", "    pass  # TODO\n"}) {
      CAPTURE(body);
      Findings found = of(lint(migration(body)), "empty-upgrade");
      REQUIRE(found.size() == 1);
      CHECK(found[0].line == 12);
      CHECK(found[0].end_line == 12 + static_cast<int>(std::count(body.begin(), body.end(), '\n')));
      CHECK(found[0].message ==
            "upgrade() does nothing: this revision moves the version table and changes nothing");
    }
    CHECK(of(lint(migration(kAddColumn, kDropColumn)), "empty-upgrade").empty());
  }

  TEST_CASE("empty-upgrade: a one-line def counts too, and a merge revision is exempt") {
    std::string one_line =
        "\"\"\"x\"\"\"\nrevision = 'abc123'\ndown_revision = 'f'\n"
        "def upgrade(): pass\ndef downgrade(): pass\n";
    Findings found = of(lint(one_line), "empty-upgrade");
    REQUIRE(found.size() == 1);
    CHECK(found[0].line == 4);
    CHECK(lint(migration("    pass\n", "    pass\n", "\"\"\"merge heads\"\"\"\n", "('aaa', 'bbb')"))
              .empty());
  }

  TEST_CASE("empty-downgrade: only when upgrade does something, raising is deliberate") {
    Findings found = of(lint(migration(kAddColumn)), "empty-downgrade");
    REQUIRE(found.size() == 1);
    CHECK(found[0].line == 16);
    CHECK(found[0].severity == Severity::warning);
    CHECK(found[0].help ==
          "write the reverse operations, or `raise NotImplementedError(\"why\")` to make the "
          "one-way migration explicit");
    CHECK(of(lint(migration("    pass\n")), "empty-downgrade").empty());  // empty-upgrade only
    CHECK(lint(migration(kAddColumn, "    raise NotImplementedError('data cannot come back')\n"))
              .empty());
  }

  TEST_CASE("empty-upgrade and empty-downgrade: a guard that returns does nothing either") {
    const std::string guarded = "    if skip_condition():\n        return\n    pass\n";
    const std::string one_line_guard = "    if not is_enabled(): return\n";
    for (const std::string& body : {guarded, one_line_guard}) {
      CAPTURE(body);
      Findings upgrade = of(lint(migration(body)), "empty-upgrade");
      REQUIRE(upgrade.size() == 1);
      CHECK(upgrade[0].line == 12);
      Findings downgrade = of(lint(migration(kAddColumn, body)), "empty-downgrade");
      REQUIRE(downgrade.size() == 1);
      CHECK(downgrade[0].line == 16);
    }
    // A guard around real work is work.
    CHECK(lint(migration("    if is_enabled():\n" + std::string("    ") + kAddColumn, kDropColumn))
              .empty());
    CHECK(lint(migration("    if is_enabled(): op.add_column('users', sa.Column('x', sa.Text()))\n",
                         "    op.drop_column('users', 'x')\n"))
              .empty());
  }

  TEST_CASE("empty-downgrade: an upgrade that only reads (SELECT, assert) has nothing to undo") {
    for (std::string_view body :
         {"    conn = op.get_bind()\n"
          "    count = conn.execute(sa.text(\"SELECT count(*) FROM users\")).scalar()\n"
          "    assert count == 0, 'users must be empty first'\n",
          "    rows = op.get_bind().execute(sa.select(users.c.id)).fetchall()\n"
          "    if rows:\n        raise RuntimeError('clean users up first')\n",
          "    op.get_bind().exec_driver_sql('select 1')\n"}) {
      CAPTURE(body);
      CHECK(lint(migration(body)).empty());  // neither empty-upgrade nor empty-downgrade
    }
    // Writing SQL, or a call alembic-gate cannot tell harmless, is a change to undo.
    for (std::string_view body :
         {"    op.get_bind().execute(sa.text(\"UPDATE users SET a = 1\"))\n",
          "    helpers.create_audit_tables()\n"}) {
      CAPTURE(body);
      CHECK(of(lint(migration(body)), "empty-downgrade").size() == 1);
    }
  }

  TEST_CASE("empty-downgrade: the last definition counts, as Python keeps it") {
    std::string source = migration(kAddColumn, kDropColumn) + "\n\ndef downgrade():\n    pass\n";
    Findings found = of(lint(source), "empty-downgrade");
    REQUIRE(found.size() == 1);
    CHECK(found[0].line == 20);
  }

  TEST_CASE("commit-inside-migration: COMMIT, END, ROLLBACK in execute, plain or in text()") {
    for (std::string_view call :
         {"    op.execute('COMMIT')\n", "    op.execute(\"commit;\")\n",
          "    op.execute(sa.text('END'))\n", "    op.get_bind().execute(text('ROLLBACK'))\n",
          "    conn = op.get_bind()\n    conn.exec_driver_sql('  COMMIT')\n",
          "    op.execute(\n        'COMMIT'\n    )\n"}) {
      CAPTURE(call);
      Findings found = of(lint(migration(kAddColumn + std::string(call), kDropColumn)),
                          "commit-inside-migration");
      REQUIRE(found.size() == 1);
      CHECK(found[0].severity == Severity::error);
      CHECK(found[0].line >= 14);
    }
    Findings found = of(lint(migration(kAddColumn + "    op.execute('COMMIT')\n", kDropColumn)),
                        "commit-inside-migration");
    REQUIRE(found.size() == 1);
    CHECK(found[0].line == 14);
    CHECK(found[0].message ==
          "`COMMIT` ends the transaction Alembic runs this migration in: the statements before it "
          "stay committed if a later one fails, and the version table no longer says where the "
          "schema is");
  }

  TEST_CASE("commit-inside-migration: committing the migration's connection") {
    for (std::string_view call :
         {"    op.get_bind().commit()\n", "    bind = op.get_bind()\n    bind.commit()\n",
          "    c = op.get_context().connection\n    c.commit()\n",
          "    op.get_context().connection.commit()\n"}) {
      CAPTURE(call);
      CHECK(of(lint(migration(kAddColumn + std::string(call), kDropColumn)),
               "commit-inside-migration")
                .size() == 1);
    }
  }

  TEST_CASE("commit-inside-migration: the safe forms are not flagged") {
    for (std::string_view call :
         {"    with op.get_context().autocommit_block():\n"
          "        op.create_index('ix', 'users', ['bio'], postgresql_concurrently=True)\n",
          "    op.execute('UPDATE users SET note = \\'commit\\'')\n",
          "    op.execute(\"CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ "
          "LANGUAGE plpgsql\")\n",
          "    session = Session(bind=op.get_bind())\n    session.commit()\n",
          "    repo.commit()\n"}) {
      CAPTURE(call);
      CHECK(of(lint(migration(kAddColumn + std::string(call), kDropColumn)),
               "commit-inside-migration")
                .empty());
    }
  }

  TEST_CASE("filename-mismatch: the id must be in the name when the template puts it there") {
    Findings found =
        of(lint(migration(kAddColumn, kDropColumn), "add_things.py"), "filename-mismatch");
    REQUIRE(found.size() == 1);
    CHECK(found[0].line == 8);
    CHECK(found[0].severity == Severity::notice);
    CHECK(found[0].message ==
          "the file name add_things.py does not carry the revision id abc123, though the "
          "project's file_template (%(rev)s_%(slug)s) puts it there");
    CHECK(lint(migration(kAddColumn, kDropColumn), "2024_01_02_abc123_add_things.py").empty());
  }

  TEST_CASE("filename-mismatch: nothing when the template has no revision id") {
    project::Project project = project_at("/nonexistent/repo");
    project.file_template = "%(year)d_%(slug)s";
    ApplicationModules modules(project);
    std::string source = migration(kAddColumn, kDropColumn);
    graph::RevisionScript script =
        graph::read_revision_script(source, project.version_locations[0] / "2024_add_things.py");
    MigrationFile file{source};
    CHECK(static_findings(script, file, {project, modules}).empty());
  }

  TEST_CASE("imports-app-code: the application's packages, not Alembic's helpers or libraries") {
    test::TempDir repo;
    repo.write("blog/__init__.py", "");
    repo.write("blog/models.py", "");
    repo.write("src/shop/__init__.py", "");
    repo.write("settings.py", "");
    repo.write("migrations/env.py", "");
    repo.write("migrations/helpers.py", "");
    repo.write("docs/index.md", "");
    repo.write("alembic/__init__.py", "");
    std::string imports =
        "    from blog.models import Post\n"
        "    import shop.orders as orders, settings\n"
        "    from migrations.helpers import batch\n"
        "    from . import sibling\n"
        "    import docs, json, sqlalchemy.orm\n"
        "    from alembic import op\n";
    Findings found =
        of(lint(migration(imports, kDropColumn), "abc123_x.py", repo.path()), "imports-app-code");
    REQUIRE(found.size() == 3);
    CHECK(found[0].line == 13);
    CHECK(found[0].message ==
          "the migration imports blog.models, the application's own code (blog): when that code "
          "changes, replaying this migration on a fresh database runs the new code, or stops "
          "importing");
    CHECK(
        found[1].message.starts_with("the migration imports shop.orders, the application's own "
                                     "code (src/shop)"));
    CHECK(
        found[2].message.starts_with("the migration imports settings, the application's own "
                                     "code (settings.py)"));
    CHECK(found[2].line == 14);
  }

  TEST_CASE("a file the lexer cannot read to the end gets no static findings") {
    CHECK(lint("revision = 'abc123'\ndef upgrade():\n    op.execute('COMMIT\n").empty());
  }
}

}  // namespace ag::checks::lint
