// Bad input, one table: flags, action inputs, config files, ini files, revision files and URLs,
// each run end to end on a small project. Every case gets its exit code and a message that names
// the culprit, and none hangs (pipes, devices and link loops are refused, not read).
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "support/run_gate.h"
#include "support/temp_dir.h"

namespace ag::test {
namespace {

namespace fs = std::filesystem;

/// One bad input: what to run, with what, on which files, and what it must say.
struct BadInput {
  std::vector<std::string> args = {};
  std::map<std::string, std::string> env = {};
  /// Changes the project (alembic.ini and one revision, aaa) before the run; may be empty.
  std::function<void(const TempDir&)> arrange = {};
  bool own_checks = false;  ///< The case chooses the checks: the run adds no --checks heads.
  int exit_code = 2;
  std::string says;  ///< Part of what the run prints (stderr, then stdout).
};

void write_project(const TempDir& dir) {
  dir.write("alembic.ini", "[alembic]\nscript_location = %(here)s/migrations\n");
  dir.write("migrations/versions/aaa_base.py",
            "\"\"\"base\"\"\"\nrevision = 'aaa'\ndown_revision = None\n");
}

/// A revision file `name` holding `text`.
std::function<void(const TempDir&)> revision(std::string name, std::string text) {
  return [=](const TempDir& dir) { dir.write("migrations/versions/" + name, text); };
}

/// The file `relative` replaced by `make(path)`: a folder, a pipe, a link.
std::function<void(const TempDir&)> replaced(std::string relative,
                                             std::function<void(const fs::path&)> make) {
  return [=](const TempDir& dir) {
    fs::path path = dir.path() / relative;
    fs::remove(path);
    make(path);
  };
}

void folder(const fs::path& path) {
  fs::create_directory(path);
}
void pipe(const fs::path& path) {
  REQUIRE(mkfifo(path.c_str(), 0600) == 0);
}
void zeros(const fs::path& path) {
  fs::create_symlink("/dev/zero", path);
}
void loop(const fs::path& path) {
  fs::create_symlink(path.filename(), path);
}
void dangling(const fs::path& path) {
  fs::create_symlink("nowhere", path);
}

std::function<void(const TempDir&)> file(std::string relative, std::string text) {
  return [=](const TempDir& dir) { dir.write(relative, text); };
}

std::function<void(const TempDir&)> ini(std::string text) {
  return file("alembic.ini", std::move(text));
}

const std::string kIni = "[alembic]\nscript_location = %(here)s/migrations\n";

std::vector<BadInput> cases() {
  return {
      // Flags.
      {.args = {"--checks", ""},
       .says = "invalid value '' for checks: expected at least one of heads, pending, roundtrip, "
               "lint, drift"},
      {.args = {"--checks", ","}, .says = "invalid value ',' for checks: expected at least one"},
      {.args = {"--checks", "lnt"}, .says = "flag --checks: unknown checks item 'lnt'"},
      {.args = {"--checks", "Heads"}, .says = "unknown checks item 'Heads'"},
      {.args = {"--fail-on", "sometimes"}, .says = "invalid value 'sometimes' for fail-on"},
      {.args = {"--format", "xml"}, .says = "invalid value 'xml' for format"},
      {.args = {"--step-timeout", "0"},
       .says = "invalid value '0' for step-timeout: expected a whole number >= 1"},
      {.args = {"--step-timeout", "-5"}, .says = "invalid value '-5' for step-timeout"},
      {.args = {"--step-timeout", "1.5"}, .says = "invalid value '1.5' for step-timeout"},
      {.args = {"--connect-timeout", "0"},
       .says = "invalid value '0' for connect-timeout: expected a whole number >= 1"},
      {.args = {"--slow-migration-ms", "abc"},
       .says = "invalid value 'abc' for slow-migration-ms: expected a whole number >= 0"},
      {.args = {"--roundtrip-jobs", "many"}, .says = "invalid value 'many' for roundtrip-jobs"},
      {.args = {"--roundtrip-jobs", "99999999999"},
       .says = "invalid value '99999999999' for roundtrip-jobs"},
      {.args = {"--drift-strict-severity", "fatal"},
       .says = "invalid value 'fatal' for drift-strict-severity: expected one of notice, "
               "warning, error"},
      {.args = {"--database-url-env", "BAD NAME=x"},
       .says = "invalid database-url-env item 'BAD NAME=x': expected names of environment "
               "variables"},
      {.args = {"--database-url-env", "DATABASE_URL,1ABC"},
       .says = "invalid database-url-env item '1ABC'"},
      {.args = {"--database-url", "mysql://u@h/db"},
       .says = "alembic-gate: database-url: scheme 'mysql' is not PostgreSQL"},
      {.args = {"--database-url", "http://h/db"}, .says = "database-url: scheme 'http'"},
      {.args = {"--database-url", "postgresql://h:abc/db"}, .says = "database-url: "},
      {.args = {"--database-url", "postgresql://h/db?no_such_option=1"}, .says = "database-url: "},
      {.args = {"--lint-rules", "no-such-rule"}, .says = "no-such-rule"},
      {.args = {"--lint-severity", "ban-drop-column=fatal"}, .says = "fatal"},
      {.args = {"--lint-severity", "no-such-rule=error"}, .says = "no-such-rule"},
      {.args = {"--working-directory", "/nonexistent/project"},
       .says = "working-directory '/nonexistent/project' is not a folder"},
      {.args = {"--no-such-flag"}, .says = "no-such-flag"},
      {.args = {"stray"}, .says = "command line: unexpected argument 'stray'"},
      {.args = {"--alembic-config", "missing.ini"}, .says = "missing.ini' not found"},
      {.args = {"--checks"}, .says = "checks"},
      {.args = {"--checks", "roundtrip", "--minimum-downgrade-revision", "zzzz"},
       .exit_code = 1,
       .says = "minimum-downgrade-revision names 'zzzz', which is no revision of this history; "
               "nothing was judged [unknown-revision-setting]"},
      {.args = {"--checks", "roundtrip", "--skip-revisions", "aaa,aa"},
       .exit_code = 1,
       .says = "skip-revisions names 'aa', which is no revision of this history (did you mean "
               "aaa?)"},
      // Action inputs.
      {.env = {{"INPUT_CHECKS", ","}}, .says = "input INPUT_CHECKS: invalid value ',' for checks"},
      {.env = {{"INPUT_FAIL-ON", "bad"}}, .says = "input INPUT_FAIL-ON: invalid value 'bad'"},
      {.env = {{"INPUT_STEP-TIMEOUT", "0"}},
       .says = "input INPUT_STEP-TIMEOUT: invalid value '0' for step-timeout"},
      {.env = {{"INPUT_DATABASE-URL", "mysql://u@h/db"}},
       .says = "database-url: scheme 'mysql' is not PostgreSQL"},
      {.env = {{"INPUT_CONNECT-TIMEOUT", "abc"}},
       .says = "input INPUT_CONNECT-TIMEOUT: invalid value 'abc' for connect-timeout"},
      {.env = {{"INPUT_FORMAT", "yaml"}}, .says = "input INPUT_FORMAT: invalid value 'yaml'"},
      {.env = {{"INPUT_ROUNDTRIP-JOBS", "-1"}},
       .says = "input INPUT_ROUNDTRIP-JOBS: invalid value '-1'"},
      {.env = {{"INPUT_DRIFT-STRICT", "maybe"}},
       .says = "input INPUT_DRIFT-STRICT: invalid value 'maybe' for drift-strict: expected true "
               "or false"},
      {.env = {{"INPUT_DATABASE-URL-ENV", "A B"}},
       .says = "input INPUT_DATABASE-URL-ENV: invalid database-url-env item 'A B'"},
      {.env = {{"INPUT_ALLOW-CONFIGURED-DATABASE", "sometimes"}},
       .says = "invalid value 'sometimes' for allow-configured-database"},
      // Config files.
      {.arrange = replaced("alembic-gate.toml", folder),
       .says = "alembic-gate.toml: cannot read file: it is not a regular file"},
      {.arrange = replaced("alembic-gate.toml", loop),
       .says = "alembic-gate.toml: cannot read file: Too many levels of symbolic links"},
      {.arrange = replaced("alembic-gate.toml", dangling),
       .says = "alembic-gate.toml: cannot read file: No such file or directory"},
      {.arrange = replaced("alembic-gate.toml", pipe),
       .says = "alembic-gate.toml: cannot read file: it is not a regular file"},
      {.arrange = replaced("alembic-gate.toml", zeros),
       .says = "alembic-gate.toml: cannot read file: it is not a regular file"},
      {.arrange = file("alembic-gate.toml", "checks = [\"heads\"\n"),
       .says = "alembic-gate.toml:1: malformed TOML"},
      {.arrange = file("alembic-gate.toml", "chekcs = \"heads\"\n"),
       .says = "alembic-gate.toml:1: unknown key 'chekcs'"},
      {.arrange = file("alembic-gate.toml", "working-directory = \"x\"\n"),
       .says = "'working-directory' cannot be set in the config file"},
      {.arrange = file("alembic-gate.toml", "checks = []\n"),
       .own_checks = true,
       .says = "invalid value '' for checks: expected at least one of"},
      {.arrange = file("alembic-gate.toml", "checks = [1, 2]\n"),
       .says = "alembic-gate.toml:1: list items must be strings"},
      {.arrange = file("alembic-gate.toml", "step-timeout = 0\n"),
       .says = "alembic-gate.toml:1: invalid value '0' for step-timeout"},
      {.arrange = file("alembic-gate.toml", "fail-on = 3\n"),
       .says = "alembic-gate.toml:1: invalid value '3' for fail-on"},
      {.arrange = file("pyproject.toml", "[tool]\nalembic-gate = 1\n"),
       .says = "pyproject.toml:2: [tool.alembic-gate] must be a table"},
      {.arrange = file("pyproject.toml", "[tool.alembic-gate\n"),
       .says = "pyproject.toml:1: malformed TOML"},
      {.arrange = file("alembic-gate.toml", "fail-on = \"sometimes\"\n"),
       .says = "alembic-gate.toml:1: invalid value 'sometimes' for fail-on"},
      {.arrange = file("alembic-gate.toml", "database-url = \"mysql://u@h/db\"\n"),
       .says = "database-url: scheme 'mysql' is not PostgreSQL"},
      {.arrange = replaced("pyproject.toml", folder),
       .says = "pyproject.toml: cannot read file: it is not a regular file"},
      // Alembic's ini file.
      {.arrange = replaced("alembic.ini", folder),
       .says = "alembic.ini: error: cannot read file: it is not a regular file"},
      {.arrange = replaced("alembic.ini", pipe),
       .says = "alembic.ini: error: cannot read file: it is not a regular file"},
      {.arrange = replaced("alembic.ini", zeros),
       .says = "alembic.ini: error: cannot read file: it is not a regular file"},
      {.arrange = replaced("alembic.ini", loop),
       .says = "alembic.ini: error: cannot read file: Too many levels of symbolic links"},
      {.arrange =
           [](const TempDir& dir) {
             dir.write("alembic.ini", kIni);
             fs::resize_file(dir.path() / "alembic.ini", (std::uintmax_t{64} << 20) + 1);
           },
       .says = "alembic.ini: error: cannot read file: it is larger than 64 MiB"},
      {.arrange = ini("[loggers]\nkeys = root\n"), .says = "no script_location"},
      {.arrange = ini("[alembic]\nsqlalchemy.url = x\n"), .says = "no script_location"},
      {.arrange = ini("[alembic]\nscript_location = %(here)s/nowhere\n"), .says = "nowhere"},
      {.arrange = ini("[alembic\nscript_location = m\n"),
       .says = "alembic.ini:1: error: malformed section header"},
      {.arrange = ini("script_location = m\n"), .says = "alembic.ini:1: error: key outside of any"},
      {.arrange = ini(kIni + "[loggers]\nkeys = root\n[alembic]\nx = 1\n"),
       .says = "alembic.ini:5: error: section [alembic] appears twice (first at line 1); Alembic's "
               "configparser refuses the file"},
      {.arrange = ini(kIni + "script_location = other\n"),
       .says = "alembic.ini:3: error: key 'script_location' appears twice in [alembic] (first at "
               "line 2)"},
      {.arrange = ini("[alembic]\nscript_location = %(missing)s/migrations\n"), .says = "missing"},
      // Revision files: the heads check's findings, exit 1.
      {.arrange = revision("bbb_two.py", "revision = 'bbb'\ndown_revision = None\n"),
       .exit_code = 1,
       .says = "[unlabelled-branch]"},
      {.arrange = revision("bbb_two.py", "revision = 'bbb'\ndown_revision = ('aaa', 'zzz')\n"),
       .exit_code = 1,
       .says = "zzz"},
      {.arrange = revision("bbb_broken.py", "revision = 'bbb'\ndown_revision = 'aaa'\ndef (:\n"),
       .exit_code = 1,
       .says = "[syntax-error]"},
      {.arrange = revision("bbb_orphan.py", "revision = 'bbb'\ndown_revision = 'zzz'\n"),
       .exit_code = 1,
       .says = "[missing-parent]"},
      {.arrange = revision("bbb_again.py", "revision = 'aaa'\ndown_revision = None\n"),
       .exit_code = 1,
       .says = "[duplicate-revision]"},
      {.arrange =
           revision("bbb_latin1.py", "revision = 'bbb'\ndown_revision = 'aaa'\nx = '\xe9'\n"),
       .exit_code = 1,
       .says = "[invalid-encoding]"},
      {.arrange = [](const TempDir& dir) { pipe(dir.path() / "migrations/versions/bbb_pipe.py"); },
       .exit_code = 1,
       .says = "[unreadable-file]"},
      {.arrange = [](const TempDir& dir) { zeros(dir.path() / "migrations/versions/bbb_zero.py"); },
       .exit_code = 1,
       .says = "[unreadable-file]"},
      {.arrange =
           [](const TempDir& dir) {
             dir.write("migrations/versions/bbb_b.py", "revision = 'bbb'\ndown_revision = 'ccc'\n");
             dir.write("migrations/versions/ccc_c.py", "revision = 'ccc'\ndown_revision = 'bbb'\n");
           },
       .exit_code = 1,
       .says = "[cycle]"},
      {.arrange = revision("bbb_self.py", "revision = 'bbb'\ndown_revision = 'bbb'\n"),
       .exit_code = 1,
       .says = "[self-loop]"},
      {.arrange = revision("bbb_at.py", "revision = 'b@b'\ndown_revision = 'aaa'\n"),
       .exit_code = 1,
       .says = "[illegal-revision-id]"},
      {.arrange = revision("bbb_none.py", "down_revision = 'aaa'\n"),
       .exit_code = 1,
       .says = "[missing-revision-id]"},
      {.arrange = revision("bbb_computed.py", "revision = 'b' + 'bb'\ndown_revision = 'aaa'\n"),
       .exit_code = 1,
       .says = "bbb_computed.py"},
      {.arrange = revision("bbb_dep.py",
                           "revision = 'bbb'\ndown_revision = 'aaa'\n"
                           "depends_on = 'nothere'\n"),
       .exit_code = 1,
       .says = "nothere"},
      {.arrange =
           [](const TempDir& dir) {
             dir.write("alembic.ini", kIni + "recursive_version_locations = true\n");
             fs::create_directory_symlink("..", dir.path() / "migrations/versions/up");
           },
       .exit_code = 0,
       .says = "passed (0 errors"},
  };
}

}  // namespace

TEST_CASE("bad input: every case exits with its code and names what is wrong") {
  std::vector<BadInput> table = cases();
  CHECK(table.size() >= 80);
  for (size_t i = 0; i < table.size(); ++i) {
    const BadInput& bad = table[i];
    CAPTURE(i);
    CAPTURE(bad.says);
    TempDir dir;
    write_project(dir);
    if (bad.arrange) bad.arrange(dir);
    std::vector<std::string> args = {"--working-directory", dir.path().string()};
    bool chooses_checks = bad.own_checks || bad.env.contains("INPUT_CHECKS") ||
                          std::find(bad.args.begin(), bad.args.end(), "--checks") != bad.args.end();
    if (!chooses_checks) args.insert(args.end(), {"--checks", "heads"});
    args.insert(args.end(), bad.args.begin(), bad.args.end());
    GateRun run = run_gate(args, bad.env);
    std::string printed = run.err + run.out;
    INFO(printed);
    CHECK(run.exit_code == bad.exit_code);
    CHECK(printed.find(bad.says) != std::string::npos);
  }
}

}  // namespace ag::test
