// discover() on project folders built in a temporary folder, and Alembic's file-name rule.
#include "project/project.h"

#include <doctest/doctest.h>

#include <unistd.h>
#include "support/temp_dir.h"

#include <atomic>
#include <fstream>
#include <string>
#include <vector>

namespace ag::project {
namespace {

using Scratch = test::TempDir;

/// A versions folder `name` holding `files` (each a one-line revision).
void versions(const Scratch& scratch, const std::string& name,
              const std::vector<std::string>& files) {
  scratch.folder(name);
  for (const std::string& file : files) scratch.write(name + "/" + file, "revision = 'x'\n");
}

config::Settings settings_for(const Scratch& scratch, std::string alembic_config = "alembic.ini") {
  config::Settings settings;
  settings.working_directory = scratch.path().string();
  settings.alembic_config = std::move(alembic_config);
  return settings;
}

Project discovered(const Scratch& scratch, std::string alembic_config = "alembic.ini") {
  Result<Project> project =
      discover(settings_for(scratch, std::move(alembic_config)), scratch.path());
  INFO((project ? std::string() : project.error().describe()));
  REQUIRE(project.ok());
  return *project;
}

Error discover_error(const Scratch& scratch, std::string alembic_config = "alembic.ini") {
  Result<Project> project =
      discover(settings_for(scratch, std::move(alembic_config)), scratch.path());
  REQUIRE_FALSE(project.ok());
  return project.error();
}

/// The revision files relative to the scratch folder.
std::vector<std::string> files_of(const Project& project) {
  std::vector<std::string> out;
  for (const fs::path& file : project.revision_files) out.push_back(project.relative(file));
  return out;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_SUITE("project/discover") {
  TEST_CASE("alembic.ini with a relative script_location: the versions folder beneath it") {
    Scratch scratch;
    scratch.write("alembic.ini",
                  "[alembic]\nscript_location = migrations\n\n[loggers]\nkeys = root\n");
    versions(scratch, "migrations/versions",
             {"b_second.py", "a_first.py", "__init__.py", ".#a_first.py", "c.pyc", "notes.txt",
              "sub/d_nested.py"});
    scratch.write("migrations/env.py", "");
    Project project = discovered(scratch);
    CHECK(project.working_directory == scratch.path());
    CHECK(project.repository_root == scratch.path());
    CHECK(project.config_file == scratch.path() / "alembic.ini");
    CHECK(project.script_location == scratch.path() / "migrations");
    CHECK(project.version_locations ==
          std::vector<fs::path>{scratch.path() / "migrations/versions"});
    CHECK_FALSE(project.recursive_version_locations);
    CHECK(files_of(project) ==
          Names{"migrations/versions/a_first.py", "migrations/versions/b_second.py"});
  }

  TEST_CASE("script_location with %(here)s, and a file_template") {
    Scratch scratch;
    scratch.write("db/alembic.ini",
                  "[alembic]\n"
                  "script_location = %(here)s/migrations\n"
                  "file_template = %%(year)d_%%(rev)s\n");
    versions(scratch, "db/migrations/versions", {"x.py"});
    Project project = discovered(scratch, "db/alembic.ini");
    CHECK(project.config_file == scratch.path() / "db/alembic.ini");
    CHECK(project.script_location == scratch.path() / "db/migrations");
    CHECK(project.file_template == "%(year)d_%(rev)s");
    CHECK(files_of(project) == Names{"db/migrations/versions/x.py"});
  }

  TEST_CASE("an absolute alembic-config is used as it is") {
    Scratch scratch;
    Scratch elsewhere;
    elsewhere.write("alembic.ini", "[alembic]\nscript_location = %(here)s/m\n");
    versions(elsewhere, "m/versions", {"a.py"});
    Project project = discovered(scratch, (elsewhere.path() / "alembic.ini").string());
    CHECK(project.config_file == elsewhere.path() / "alembic.ini");
    CHECK(project.script_location == elsewhere.path() / "m");
    CHECK(project.revision_files == std::vector<fs::path>{elsewhere.path() / "m/versions/a.py"});
  }

  TEST_CASE("version_locations without a separator: Alembic's legacy split on spaces and commas") {
    Scratch scratch;
    scratch.write("alembic.ini",
                  "[alembic]\n"
                  "script_location = migrations\n"
                  "version_locations = %(here)s/one %(here)s/two,%(here)s/three, four\n");
    scratch.folder("migrations");
    versions(scratch, "one", {"a.py"});
    versions(scratch, "two", {"b.py"});
    versions(scratch, "three", {"c.py"});
    versions(scratch, "four", {"d.py"});
    Project project = discovered(scratch);
    CHECK(project.version_locations ==
          std::vector<fs::path>{scratch.path() / "one", scratch.path() / "two",
                                scratch.path() / "three", scratch.path() / "four"});
    CHECK(files_of(project) == Names{"four/d.py", "one/a.py", "three/c.py", "two/b.py"});
  }

  TEST_CASE("version_path_separator = os splits on ':' only, so spaces stay in paths") {
    Scratch scratch;
    scratch.write("alembic.ini",
                  "[alembic]\n"
                  "script_location = migrations\n"
                  "version_path_separator = os\n"
                  "version_locations = with space:plain\n");
    scratch.folder("migrations");
    versions(scratch, "with space", {"a.py"});
    versions(scratch, "plain", {"b.py"});
    Project project = discovered(scratch);
    CHECK(project.version_locations ==
          std::vector<fs::path>{scratch.path() / "with space", scratch.path() / "plain"});
  }

  TEST_CASE("version_path_separator = , splits on a semicolon only") {
    Scratch scratch;
    scratch.write("alembic.ini",
                  "[alembic]\n"
                  "script_location = migrations\n"
                  "version_path_separator = ;\n"
                  "version_locations = a,b;c d\n");
    scratch.folder("migrations");
    versions(scratch, "a,b", {"x.py"});
    versions(scratch, "c d", {"y.py"});
    Project project = discovered(scratch);
    CHECK(project.version_locations ==
          std::vector<fs::path>{scratch.path() / "a,b", scratch.path() / "c d"});
  }

  TEST_CASE("version_path_separator = space splits on spaces only") {
    Scratch scratch;
    scratch.write("alembic.ini",
                  "[alembic]\n"
                  "script_location = migrations\n"
                  "version_path_separator = space\n"
                  "version_locations = a,b  c:d\n");
    scratch.folder("migrations");
    versions(scratch, "a,b", {"x.py"});
    versions(scratch, "c:d", {"y.py"});
    Project project = discovered(scratch);
    CHECK(project.version_locations ==
          std::vector<fs::path>{scratch.path() / "a,b", scratch.path() / "c:d"});
  }

  TEST_CASE("version_path_separator = newline: one location per continuation line") {
    Scratch scratch;
    scratch.write("alembic.ini",
                  "[alembic]\n"
                  "script_location = migrations\n"
                  "version_path_separator = newline\n"
                  "version_locations =\n"
                  "    %(here)s/with space\n"
                  "    a,b\n");
    scratch.folder("migrations");
    versions(scratch, "with space", {"x.py"});
    versions(scratch, "a,b", {"y.py"});
    Project project = discovered(scratch);
    CHECK(project.version_locations ==
          std::vector<fs::path>{scratch.path() / "with space", scratch.path() / "a,b"});
    CHECK(files_of(project) == Names{"a,b/y.py", "with space/x.py"});
  }

  TEST_CASE("recursive_version_locations = true reads subfolders, except __pycache__") {
    Scratch scratch;
    scratch.write("alembic.ini",
                  "[alembic]\nscript_location = migrations\nrecursive_version_locations = true\n");
    versions(scratch, "migrations/versions",
             {"a.py", "2024/b.py", "2024/q1/c.py", "__pycache__/d.py", "2024/__init__.py"});
    Project project = discovered(scratch);
    CHECK(project.recursive_version_locations);
    CHECK(files_of(project) == Names{"migrations/versions/2024/b.py",
                                     "migrations/versions/2024/q1/c.py",
                                     "migrations/versions/a.py"});
  }

  TEST_CASE("recursive_version_locations does not follow links to folders, as os.walk does not") {
    Scratch scratch;
    scratch.write("alembic.ini",
                  "[alembic]\nscript_location = migrations\nrecursive_version_locations = true\n");
    versions(scratch, "migrations/versions", {"a.py", "2024/b.py"});
    versions(scratch, "elsewhere", {"e.py"});
    fs::path versions_folder = scratch.path() / "migrations/versions";
    fs::create_directory_symlink("..", versions_folder / "2024/up");
    fs::create_directory_symlink("/usr", versions_folder / "usr");
    fs::create_directory_symlink(scratch.path() / "elsewhere", versions_folder / "linked");
    fs::create_symlink(scratch.path() / "elsewhere/e.py", versions_folder / "f.py");
    Project project = discovered(scratch);
    CHECK(files_of(project) == Names{"migrations/versions/2024/b.py", "migrations/versions/a.py",
                                     "migrations/versions/f.py"});
  }

  TEST_CASE("without recursive_version_locations subfolders are not read") {
    Scratch scratch;
    scratch.write("alembic.ini",
                  "[alembic]\nscript_location = migrations\nrecursive_version_locations = false\n");
    versions(scratch, "migrations/versions", {"a.py", "2024/b.py"});
    Project project = discovered(scratch);
    CHECK_FALSE(project.recursive_version_locations);
    CHECK(files_of(project) == Names{"migrations/versions/a.py"});
  }

  TEST_CASE("[tool.alembic] in pyproject.toml when there is no alembic.ini") {
    Scratch scratch;
    scratch.write("pyproject.toml",
                  "[project]\n"
                  "name = \"app\"\n"
                  "\n"
                  "[tool.alembic]\n"
                  "script_location = \"%(here)s/migrations\"\n"
                  "version_locations = [\"%(here)s/v1\", \"v2\"]\n"
                  "recursive_version_locations = true\n");
    scratch.folder("migrations");
    versions(scratch, "v1", {"a.py", "deep/b.py"});
    versions(scratch, "v2", {"c.py"});
    Project project = discovered(scratch);
    CHECK(project.config_file == scratch.path() / "pyproject.toml");
    CHECK(project.script_location == scratch.path() / "migrations");
    CHECK(project.version_locations ==
          std::vector<fs::path>{scratch.path() / "v1", scratch.path() / "v2"});
    CHECK(project.recursive_version_locations);
    CHECK(files_of(project) == Names{"v1/a.py", "v1/deep/b.py", "v2/c.py"});
  }

  TEST_CASE("[tool.alembic] without version_locations: versions beneath the script location") {
    Scratch scratch;
    scratch.write("pyproject.toml", "[tool.alembic]\nscript_location = \"migrations\"\n");
    versions(scratch, "migrations/versions", {"a.py"});
    Project project = discovered(scratch);
    CHECK(project.version_locations ==
          std::vector<fs::path>{scratch.path() / "migrations/versions"});
    CHECK(files_of(project) == Names{"migrations/versions/a.py"});
  }

  TEST_CASE("an alembic.ini without script_location defers to [tool.alembic]") {
    Scratch scratch;
    scratch.write("alembic.ini", "[alembic]\nsqlalchemy.url = postgresql://x\n");
    scratch.write("pyproject.toml", "[tool.alembic]\nscript_location = \"migrations\"\n");
    versions(scratch, "migrations/versions", {"a.py"});
    Project project = discovered(scratch);
    CHECK(project.config_file == scratch.path() / "pyproject.toml");
    CHECK(project.script_location == scratch.path() / "migrations");
  }

  TEST_CASE("an alembic.ini with script_location wins over [tool.alembic]") {
    Scratch scratch;
    scratch.write("alembic.ini", "[alembic]\nscript_location = from_ini\n");
    scratch.write("pyproject.toml", "[tool.alembic]\nscript_location = \"from_toml\"\n");
    versions(scratch, "from_ini/versions", {"a.py"});
    Project project = discovered(scratch);
    CHECK(project.config_file == scratch.path() / "alembic.ini");
    CHECK(project.script_location == scratch.path() / "from_ini");
  }

  TEST_CASE("package:path resolves under the working directory") {
    Scratch scratch;
    scratch.write("alembic.ini", "[alembic]\nscript_location = myapp.db:migrations\n");
    versions(scratch, "myapp/db/migrations/versions", {"a.py"});
    Project project = discovered(scratch);
    CHECK(project.script_location == scratch.path() / "myapp/db/migrations");
    CHECK(files_of(project) == Names{"myapp/db/migrations/versions/a.py"});
  }

  TEST_CASE("package:path resolves under src/") {
    Scratch scratch;
    scratch.write("alembic.ini", "[alembic]\nscript_location = myapp:migrations\n");
    versions(scratch, "src/myapp/migrations/versions", {"a.py"});
    Project project = discovered(scratch);
    CHECK(project.script_location == scratch.path() / "src/myapp/migrations");
  }

  TEST_CASE("package:path naming no folder is an error at script_location's line") {
    Scratch scratch;
    scratch.write("alembic.ini", "[alembic]\n# where\nscript_location = nowhere.pkg:migrations\n");
    Error error = discover_error(scratch);
    CHECK(error.message.find("script_location 'nowhere.pkg:migrations' names package "
                             "'nowhere.pkg', which is not a folder under ") == 0);
    CHECK(error.message.ends_with("or its src/; write the location as a path instead"));
    CHECK(error.where.ends_with("alembic.ini"));
    CHECK(error.line == 3);
  }

  TEST_CASE("no alembic.ini and no [tool.alembic]: an error naming the path looked at") {
    Scratch scratch;
    scratch.write("pyproject.toml", "[project]\nname = \"app\"\n");
    Error error = discover_error(scratch, "conf/alembic.ini");
    std::string expected = (scratch.path() / "conf/alembic.ini").generic_string();
    CHECK(error.message == "Alembic config '" + expected +
                               "' not found (and no [tool.alembic] in pyproject.toml); set "
                               "alembic-config or working-directory");
    CHECK(error.where == expected);
  }

  TEST_CASE("a missing versions folder is an error at script_location's line") {
    Scratch scratch;
    scratch.write("alembic.ini", "[alembic]\n\nscript_location = migrations\n");
    scratch.folder("migrations");
    Error error = discover_error(scratch);
    CHECK(error.message == "versions folder '" +
                               (scratch.path() / "migrations/versions").generic_string() +
                               "' does not exist");
    CHECK(error.where.ends_with("alembic.ini"));
    CHECK(error.line == 3);
  }

  TEST_CASE("a missing folder among version_locations is an error") {
    Scratch scratch;
    scratch.write("alembic.ini",
                  "[alembic]\nscript_location = migrations\nversion_locations = one two\n");
    versions(scratch, "one", {"a.py"});
    Error error = discover_error(scratch);
    CHECK(error.message ==
          "versions folder '" + (scratch.path() / "two").generic_string() + "' does not exist");
  }

  TEST_CASE("errors in alembic.ini are reported with their line") {
    Scratch scratch;
    scratch.write("alembic.ini", "[alembic]\nscript_location = %(nope)s/migrations\n");
    Error error = discover_error(scratch);
    CHECK(error.message == "'%(nope)s' refers to an unknown option");
    CHECK(error.where.ends_with("alembic.ini"));
    CHECK(error.line == 2);
  }

  TEST_CASE("malformed pyproject.toml is an error with its line") {
    Scratch scratch;
    scratch.write("pyproject.toml", "[tool.alembic]\nscript_location = \n");
    Error error = discover_error(scratch);
    CHECK(error.message.find("malformed TOML: ") == 0);
    CHECK(error.where.ends_with("pyproject.toml"));
    CHECK(error.line == 2);
  }

  TEST_CASE("Project::relative is relative to the repository root") {
    Scratch scratch;
    scratch.write("alembic.ini", "[alembic]\nscript_location = migrations\n");
    versions(scratch, "migrations/versions", {"a.py"});
    Result<Project> project = discover(settings_for(scratch), scratch.path().parent_path());
    REQUIRE(project.ok());
    CHECK(project->relative(project->revision_files.at(0)) ==
          scratch.path().filename().string() + "/migrations/versions/a.py");
  }
}

TEST_SUITE("project/is_revision_file_name") {
  TEST_CASE("Python files are revision files") {
    CHECK(is_revision_file_name("abc123_add_users.py"));
    CHECK(is_revision_file_name("x.py"));
    CHECK(is_revision_file_name("init.py"));
    CHECK(is_revision_file_name("a__init__.py"));
  }

  TEST_CASE("__init__.py, editor lock files and other files are not") {
    CHECK_FALSE(is_revision_file_name("__init__.py"));
    CHECK_FALSE(is_revision_file_name("__init___x.py"));
    CHECK_FALSE(is_revision_file_name(".#abc123_add_users.py"));
    CHECK_FALSE(is_revision_file_name("abc123_add_users.pyc"));
    CHECK_FALSE(is_revision_file_name("abc123_add_users.pyo"));
    CHECK_FALSE(is_revision_file_name("abc123_add_users.py~"));
    CHECK_FALSE(is_revision_file_name("README.md"));
    CHECK_FALSE(is_revision_file_name("py"));
    CHECK_FALSE(is_revision_file_name(""));
  }
}

TEST_SUITE("project/find_repository_root") {
  TEST_CASE("the nearest folder with .git, else the folder itself") {
    Scratch scratch;
    scratch.folder(".git");
    fs::path deep = scratch.folder("a/b");
    CHECK(find_repository_root(deep, "") == scratch.path());
    CHECK(find_repository_root(scratch.path(), "") == scratch.path());
  }

  TEST_CASE("GITHUB_WORKSPACE wins when it contains the folder") {
    Scratch scratch;
    fs::path deep = scratch.folder("repo/.git");
    fs::path project = scratch.folder("repo/project");
    CHECK(find_repository_root(project, scratch.path().string()) == scratch.path());
    Scratch other;
    CHECK(find_repository_root(project, other.path().string()) == scratch.path() / "repo");
  }
}

TEST_SUITE("project/discover regressions") {
  TEST_CASE("an ini without script_location says so, at its [alembic] line") {
    Scratch scratch;
    scratch.write("alembic.ini", "# settings\n[alembic]\nsqlalchemy.url = x\n");
    Error error = discover_error(scratch);
    CHECK(error.message == "no script_location in the [alembic] section");
    CHECK(error.line == 2);
  }

  TEST_CASE("the default file_template is Alembic's") {
    Scratch scratch;
    scratch.write("alembic.ini", "[alembic]\nscript_location = migrations\n");
    versions(scratch, "migrations/versions", {});
    CHECK(discovered(scratch).file_template == "%(rev)s_%(slug)s");
  }

  TEST_CASE("an unknown version_path_separator is an error at its line") {
    Scratch scratch;
    scratch.write("alembic.ini",
                  "[alembic]\nscript_location = migrations\nversion_locations = a b\n"
                  "version_path_separator = pipe\n");
    Error error = discover_error(scratch);
    CHECK(error.message ==
          "version_path_separator 'pipe' is not one of space, newline, os, ':' or ';'");
    CHECK(error.line == 4);
  }
}

}  // namespace ag::project
