// What a run leaves behind: nothing in the scratch databases after SIGTERM mid-run, and not a
// byte changed in the database that database-url names.
#include <doctest/doctest.h>

#include <csignal>
#include <regex>
#include <thread>

#include "pg/connection.h"
#include "pg/database_url.h"
#include "process/subprocess.h"
#include "support/postgres.h"
#include "support/run_gate.h"

namespace ag::test {
namespace {

pg::Connection connect_to(const std::string& url) {
  Result<pg::DatabaseUrl> parsed = pg::parse_database_url(url);
  REQUIRE(parsed.ok());
  Result<pg::Connection> connection = pg::connect(parsed->libpq());
  REQUIRE(connection.ok());
  return std::move(*connection);
}

std::string scalar(pg::Connection& connection, const std::string& sql,
                   const std::vector<pg::Param>& params = {}) {
  Result<pg::QueryResult> result = connection.exec(sql, params);
  REQUIRE(result.ok());
  return std::string(result->text(0, 0));
}

}  // namespace

TEST_SUITE("interrupts and isolation") {
  TEST_CASE(
      "SIGTERM mid-migration: the worker is stopped, the scratch database dropped, exit 143") {
    process::Options options;
    options.stdout_stream = process::Stream::pipe;
    Result<process::Subprocess> child = process::Subprocess::spawn(
        {AG_BINARY, "--checks", "roundtrip", "--format", "text", "--step-timeout", "120",
         "--database-url", postgres_url(), "--working-directory", fixture("roundtrip/slow_step")},
        options);
    REQUIRE(child.ok());
    // Wait until the roundtrip has started; its second revision then sleeps 30 s in pg_sleep().
    std::string err;
    auto deadline = process::deadline_after(std::chrono::seconds(60));
    while (process::Clock::now() < deadline && err.find("roundtrip:") == std::string::npos) {
      (void)child->read_line(process::deadline_after(std::chrono::milliseconds(100)));
      err = child->stderr_buffer();
    }
    std::smatch scratch;
    REQUIRE(std::regex_search(err, scratch, std::regex("alembic_gate_[0-9a-f]+")));
    std::string name = scratch.str();
    std::this_thread::sleep_for(std::chrono::seconds(3));
    ::kill(child->pid(), SIGTERM);
    std::optional<process::ExitStatus> status =
        child->wait(process::deadline_after(std::chrono::seconds(30)));
    REQUIRE(status.has_value());
    CHECK(status->code == 128 + SIGTERM);
    pg::Connection server = connect_to(postgres_url());
    CHECK(scalar(server, "select count(*) from pg_database where datname = $1", {name}) == "0");
    // The migration's session is gone too (by database: other tests may sleep in theirs).
    CHECK(scalar(server, "select count(*) from pg_stat_activity where datname = $1", {name}) ==
          "0");
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
