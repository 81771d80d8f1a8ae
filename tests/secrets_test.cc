// The password in database-url, end to end through the real binary: masked for GitHub before
// anything else is printed, and never in stdout, stderr, the job summary, the outputs, the JSON
// or the SARIF report, in any format. The project's env.py does its worst: it prints the URL it
// is given and raises with the password in the message (the test server trusts any password).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "process/subprocess.h"
#include "support/postgres.h"
#include "support/temp_dir.h"
#include "util/file.h"

namespace ag::test {
namespace {

constexpr std::string_view kWritten = "Pw%40Gate%21s3cr3t";  // as written in the URL
constexpr std::string_view kDecoded = "Pw@Gate!s3cr3t";      // what the server is sent

/// The test server's URL with a password: postgresql://postgres:PASSWORD@host:port/postgres.
std::string url_with_password() {
  std::string url = postgres_url();
  size_t at = url.find('@');
  REQUIRE(at != std::string::npos);
  return url.substr(0, at) + ":" + std::string(kWritten) + url.substr(at);
}

void write_leaky_project(const TempDir& dir) {
  dir.write("alembic.ini", "[alembic]\nscript_location = %(here)s/migrations\n");
  dir.write("migrations/env.py",
            "import os, sys\n"
            "from sqlalchemy.engine import make_url\n"
            "url = os.environ['DATABASE_URL']\n"
            "print('env.py was given', url)\n"
            "print('password', make_url(url).password, file=sys.stderr)\n"
            "raise RuntimeError(f'refusing {url} and {make_url(url).password}')\n");
  dir.write("migrations/versions/aaa_base.py",
            "\"\"\"base\"\"\"\nrevision = 'aaa'\ndown_revision = None\n"
            "def upgrade():\n    pass\ndef downgrade():\n    pass\n");
}

struct Outputs {
  process::Completed run;
  std::map<std::string, std::string> files;  ///< name -> content
};

Outputs run_binary(const TempDir& dir, std::vector<std::string> args,
                   std::map<std::string, std::optional<std::string>> env) {
  std::vector<std::string> argv{
      AG_BINARY,     "--checks",    "heads,roundtrip", "--working-directory", dir.path().string(),
      "--json-file", "report.json", "--sarif-file",    "report.sarif"};
  argv.insert(argv.end(), args.begin(), args.end());
  env["GITHUB_STEP_SUMMARY"] = (dir.path() / "summary.md").string();
  env["GITHUB_OUTPUT"] = (dir.path() / "outputs.txt").string();
  env["GITHUB_WORKSPACE"] = dir.path().string();
  process::Options options;
  options.env = env;
  options.timeout = std::chrono::seconds(120);
  Result<process::Completed> completed = process::run(argv, options);
  REQUIRE(completed.ok());
  Outputs outputs{*completed, {}};
  for (std::string name : {"summary.md", "outputs.txt", "report.json", "report.sarif"}) {
    Result<std::string> text = read_file(dir.path() / name);
    REQUIRE_MESSAGE(text.ok(), name);
    outputs.files[name] = *text;
  }
  return outputs;
}

/// Lines of `text` other than the ::add-mask:: commands.
std::string without_masks(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line(text.data() + start, end - start);
    if (!line.starts_with("::add-mask::")) out += std::string(line) + "\n";
    start = end + 1;
  }
  return out;
}

void check_nowhere(const Outputs& outputs) {
  std::map<std::string, std::string> places = outputs.files;
  places["stdout"] = without_masks(outputs.run.out);
  places["stderr"] = without_masks(outputs.run.err);
  for (const auto& [name, text] : places) {
    CAPTURE(name);
    CHECK(text.find(kWritten) == std::string::npos);
    CHECK(text.find(kDecoded) == std::string::npos);
    CHECK(text.find("Pw%40Gate") == std::string::npos);
  }
  // Not absent by luck: env.py did put it into a finding, which says *** instead.
  nlohmann::json report = nlohmann::json::parse(outputs.files.at("report.json"));
  bool redacted = false;
  for (const nlohmann::json& finding : report["findings"]) {
    std::string message = finding["message"];
    if (finding["rule"] == "env-failed" && message.find("refusing") != std::string::npos)
      redacted = message.find("***") != std::string::npos;
  }
  CHECK(redacted);
}

}  // namespace

TEST_SUITE("secrets") {
  TEST_CASE("github format, URL from the action input: masks first, the password nowhere else") {
    TempDir dir;
    write_leaky_project(dir);
    Outputs outputs = run_binary(
        dir, {}, {{"GITHUB_ACTIONS", "true"}, {"INPUT_DATABASE-URL", url_with_password()}});
    INFO(outputs.run.out);
    INFO(outputs.run.err);
    CHECK(outputs.run.status.code == 1);
    // The runner unescapes a command's data: '%' is written %25.
    CHECK(outputs.run.out.starts_with(
        "::add-mask::Pw%2540Gate%2521s3cr3t\n::add-mask::" + std::string(kDecoded) + "\n"));
    CHECK(outputs.run.err.find("env.py was given postgresql://postgres:***@") != std::string::npos);
    check_nowhere(outputs);
  }

  TEST_CASE("json and text formats, URL from the flag: the password nowhere") {
    for (std::string format : {"json", "text"}) {
      CAPTURE(format);
      TempDir dir;
      write_leaky_project(dir);
      Outputs outputs =
          run_binary(dir, {"--format", format, "--database-url", url_with_password()},
                     {{"GITHUB_ACTIONS", "true"}, {"INPUT_DATABASE-URL", std::nullopt}});
      INFO(outputs.run.err);
      CHECK(outputs.run.status.code == 1);
      if (format == "json") {  // masks go to stderr: stdout stays one JSON document
        CHECK(nlohmann::json::parse(outputs.run.out, nullptr, false).is_object());
        CHECK(outputs.run.err.starts_with("::add-mask::"));
      }
      check_nowhere(outputs);
    }
  }

  TEST_CASE("a guessable password is no secret: no masks, every word kept, URLs still redacted") {
    // "postgres" is the README's own service password (and its user's name); "test" is short.
    for (std::string password : {"postgres", "test"}) {
      CAPTURE(password);
      TempDir dir;
      write_leaky_project(dir);
      std::string url = postgres_url();
      url.insert(url.find('@'), ":" + password);
      Outputs outputs =
          run_binary(dir, {}, {{"GITHUB_ACTIONS", "true"}, {"INPUT_DATABASE-URL", url}});
      INFO(outputs.run.err);
      CHECK(outputs.run.status.code == 1);
      CHECK(outputs.run.out.find("::add-mask::") == std::string::npos);
      CHECK(outputs.run.err.find("env.py was given postgresql://postgres:***@127.0.0.1:") !=
            std::string::npos);
      CHECK(outputs.run.err.find("/alembic-gate-test.") != std::string::npos);  // "test" kept
      std::map<std::string, std::string> places = outputs.files;
      places["stdout"] = outputs.run.out;
      places["stderr"] = outputs.run.err;
      for (const auto& [name, text] : places) {
        CAPTURE(name);
        CHECK(text.find("***ql") == std::string::npos);  // "postgresql" is never cut
        CHECK(text.find("://postgres:" + password + "@") == std::string::npos);
      }
      CHECK(outputs.files["report.json"].find("refusing postgresql://postgres:***@") !=
            std::string::npos);
    }
  }

  TEST_CASE("outside GitHub: no masks, and still the password nowhere") {
    TempDir dir;
    write_leaky_project(dir);
    Outputs outputs = run_binary(dir, {"--format", "text", "--database-url", url_with_password()},
                                 {{"GITHUB_ACTIONS", std::nullopt}});
    CHECK(outputs.run.out.find("::add-mask::") == std::string::npos);
    check_nowhere(outputs);
  }
}

}  // namespace ag::test
