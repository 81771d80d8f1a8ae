// What a run leaves behind: nothing in the scratch databases after SIGTERM mid-run, and not a
// byte changed in the database that database-url names.
#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "pg/connection.h"
#include "pg/database_url.h"
#include "process/subprocess.h"
#include "support/postgres.h"
#include "support/run_gate.h"
#include "support/scratch.h"
#include "support/temp_dir.h"

namespace ag::test {
namespace {

std::string scalar(pg::Connection& connection, const std::string& sql,
                   const std::vector<pg::Param>& params = {}) {
  Result<pg::QueryResult> result = connection.exec(sql, params);
  REQUIRE(result.ok());
  return std::string(result->text(0, 0));
}

/// alembic-gate running the slow_step fixture, caught while its second revision sleeps 30 s
/// in pg_sleep(); `scratch` is its scratch database.
struct SlowRun {
  process::Subprocess gate;
  std::string scratch;
};

SlowRun start_slow_run() {
  process::Options options;
  options.stdout_stream = process::Stream::pipe;
  Result<process::Subprocess> child = process::Subprocess::spawn(
      {AG_BINARY, "--checks", "roundtrip", "--format", "text", "--step-timeout", "120",
       "--database-url", postgres_url(), "--working-directory", fixture("roundtrip/slow_step")},
      options);
  REQUIRE(child.ok());
  std::string err;
  auto deadline = process::deadline_after(std::chrono::seconds(60));
  while (process::Clock::now() < deadline && err.find("roundtrip:") == std::string::npos) {
    (void)child->read_line(process::deadline_after(std::chrono::milliseconds(100)));
    err = child->stderr_buffer();
  }
  std::smatch scratch;
  REQUIRE(std::regex_search(err, scratch, std::regex("alembic_gate_[0-9a-f]+")));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  return {std::move(*child), scratch.str()};
}

/// The processes whose parent is `parent`.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so from the last ')'.
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    char state = 0;
    pid_t ppid = 0;
    fields >> state >> ppid;
    if (ppid == parent) found.push_back(std::stoi(entry.path().filename().string()));
  }
  return found;
}

/// Whether `pid` is still running (a zombie waiting for its new parent counts as gone).
bool running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  return line.substr(line.rfind(')') + 2, 1) != "Z";
}

/// The processes whose command line contains `text`.
size_t processes_running(const std::string& text) {
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream file(entry.path() / "cmdline");
    std::string line((std::istreambuf_iterator<char>(file)), {});
    std::replace(line.begin(), line.end(), '\0', ' ');
    if (line.find(text) != std::string::npos) ++count;
  }
  return count;
}

}  // namespace

TEST_SUITE("interrupts and isolation") {
  TEST_CASE(
      "SIGTERM, SIGHUP or SIGQUIT mid-migration: the worker is stopped, the scratch database "
      "dropped, exit 128 + the signal") {
    for (int signo : {SIGTERM, SIGHUP, SIGQUIT}) {
      CAPTURE(signo);
      SlowRun run = start_slow_run();
      ::kill(run.gate.pid(), signo);
      std::optional<process::ExitStatus> status =
          run.gate.wait(process::deadline_after(std::chrono::seconds(30)));
      REQUIRE(status.has_value());
      CHECK(status->code == 128 + signo);
      pg::Connection server = connect_to(postgres_url());
      CHECK(scalar(server, "select count(*) from pg_database where datname = $1", {run.scratch}) ==
            "0");
      // The migration's session is gone too (by database: other tests may sleep in theirs).
      CHECK(scalar(server, "select count(*) from pg_stat_activity where datname = $1",
                   {run.scratch}) == "0");
    }
  }

  TEST_CASE("SIGKILL mid-migration: the orphaned worker ends itself within seconds") {
    SlowRun run = start_slow_run();
    std::vector<pid_t> workers = children_of(run.gate.pid());
    REQUIRE_FALSE(workers.empty());
    ::kill(run.gate.pid(), SIGKILL);
    (void)run.gate.wait(process::deadline_after(std::chrono::seconds(10)));
    auto deadline = process::deadline_after(std::chrono::seconds(10));
    auto any_running = [&] { return std::any_of(workers.begin(), workers.end(), running); };
    while (any_running() && process::Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK_FALSE(any_running());
    // A killed run cannot drop its scratch database: the test does.
    pg::Connection server = connect_to(postgres_url());
    REQUIRE(server.run("DROP DATABASE IF EXISTS " + run.scratch + " WITH (FORCE)").ok());
  }

  TEST_CASE("a connection the server ends mid-migration is the infrastructure's fault: exit 3") {
    SlowRun run = start_slow_run();
    pg::Connection server = connect_to(postgres_url());
    CHECK(scalar(server,
                 "select count(pg_terminate_backend(pid)) from pg_stat_activity "
                 "where datname = $1 and query like '%pg_sleep%'",
                 {run.scratch}) == "1");
    std::optional<process::ExitStatus> status =
        run.gate.wait(process::deadline_after(std::chrono::seconds(30)));
    REQUIRE(status.has_value());
    CHECK(status->code == 3);
    std::string out = run.gate.take_stdout();
    INFO(out);
    CHECK(out.find("lost the connection to database " + run.scratch + " on postgresql://") !=
          std::string::npos);
    CHECK(out.find("server closed the connection unexpectedly") != std::string::npos);
    CHECK(out.find("[infrastructure]") != std::string::npos);
    CHECK(out.find("[upgrade-failed]") == std::string::npos);
    CHECK(scalar(server, "select count(*) from pg_database where datname = $1", {run.scratch}) ==
          "0");
  }

  TEST_CASE("a process a migration starts does not outlive the run") {
    TempDir dir;
    // A sleep no other run of this test starts (GNU sleep takes a fraction), long enough to
    // outlive a failing test by far, yet gone within minutes if it does.
    std::string sleep = "sleep 300." + std::to_string(::getpid());
    one_revision_project(dir.path(),
                         "import subprocess\n"
                         "revision = 'a1'\n"
                         "down_revision = None\n"
                         "def upgrade():\n"
                         "    subprocess.Popen('" +
                             sleep +
                             "'.split())\n"
                             "def downgrade():\n"
                             "    pass\n");
    GateRun run = run_gate(roundtrip_args(dir.path().string()));
    INFO(run.err);
    CHECK(run.exit_code == 0);
    // SIGKILL is delivered asynchronously: a moment for the group to go.
    auto deadline = process::deadline_after(std::chrono::seconds(5));
    while (processes_running(sleep) > 0 && process::Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(processes_running(sleep) == 0);
  }

  TEST_CASE("the database database-url names is not touched, byte for byte") {
    pg::Connection server = connect_to(postgres_url());
    REQUIRE(server.run("DROP DATABASE IF EXISTS user_data").ok());
    REQUIRE(server.run("CREATE DATABASE user_data").ok());
    std::string url = postgres_url();
    url = url.substr(0, url.rfind('/')) + "/user_data";
    {
      pg::Connection user = connect_to(url);
      REQUIRE(user.run("CREATE TABLE accounts (id serial primary key, email text not null);"
                       "INSERT INTO accounts (email) SELECT 'user' || g || '@example.com' FROM "
                       "generate_series(1, 500) g")
                  .ok());
    }
    auto state = [&url] {
      pg::Connection user = connect_to(url);
      return scalar(user,
                    "select md5(string_agg(a::text, ',' order by id)) || ':' || (select count(*) "
                    "from pg_class c "
                    "join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public') "
                    "from accounts a");
    };
    std::string before = state();
    GateRun run = run_gate({"--format", "json", "--checks", "heads,roundtrip", "--database-url",
                            url, "--working-directory", AG_SOURCE_DIR "/examples/blog"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(state() == before);
    REQUIRE(server.run("DROP DATABASE user_data").ok());
  }

  TEST_CASE("the driver in database-url is kept for the Python side") {
    // postgresql+psycopg:// (psycopg 3) needs SQLAlchemy 2.0: the container test covers it.
    std::string url = postgres_url();
    GateRun run = run_gate({"--format", "json", "--checks", "roundtrip", "--database-url",
                            "postgresql+psycopg2://" + url.substr(url.find("://") + 3),
                            "--working-directory", fixture("roundtrip/linear_ok")});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    GateRun pg8000 = run_gate({"--format", "json", "--checks", "roundtrip", "--database-url",
                               "postgresql+pg8000://" + url.substr(url.find("://") + 3),
                               "--working-directory", fixture("roundtrip/linear_ok")});
    CHECK(pg8000.exit_code == 1);  // not installed here: env.py fails, and says which driver
    CHECK(pg8000.out.find("No module named 'pg8000'") != std::string::npos);
  }
}

}  // namespace ag::test
