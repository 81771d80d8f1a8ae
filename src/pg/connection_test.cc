#include "pg/connection.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "pg/pg_test_support.h"

namespace ag::pg {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::open;
using testing::run;
using testing::server_url;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// A loopback port nothing listens on (bound, read and released).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  REQUIRE(::bind(fd, generic, sizeof address) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(fd, generic, &length) == 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

ConnectionParams params_for(const std::string& url) {
  Result<DatabaseUrl> parsed = parse_database_url(url);
  REQUIRE(parsed.ok());
  return parsed->libpq();
}

/// A PostgreSQL cluster of this test's own, with password (SCRAM) authentication: the suite's
/// server trusts every local connection, so it cannot show a wrong password being refused.
/// As root, the server runs as the postgres user (initdb refuses root).
class PasswordCluster {
 public:
  PasswordCluster(int port, const std::string& password) : port_(port) {
    char pattern[] = "/tmp/ag-pg-password-test.XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    dir_ = pattern;
    std::ofstream(dir_ + "/pw") << password << "\n";
    if (::geteuid() == 0) {
      as_owner_ = "runuser -u postgres -- ";
      shell(fmt::format("chown -R postgres {}", dir_));
    }
    bindir_ = newest_bindir();
  }
  ~PasswordCluster() {
    shell(fmt::format("{}{}/pg_ctl -D {}/data -m immediate -w stop >/dev/null 2>&1", as_owner_,
                      bindir_, dir_));
    std::filesystem::remove_all(dir_);
  }
  PasswordCluster(const PasswordCluster&) = delete;
  PasswordCluster& operator=(const PasswordCluster&) = delete;

  bool init() const {
    return shell(
        fmt::format("{}{}/initdb -D {}/data -A scram-sha-256 -U postgres --pwfile={}/pw --no-sync "
                    ">{}/initdb.log 2>&1",
                    as_owner_, bindir_, dir_, dir_, dir_));
  }
  bool start() const {
    return shell(
        fmt::format("{}{}/pg_ctl -D {}/data -w -l {}/server.log -o \"-p {} -k {} -c "
                    "listen_addresses=127.0.0.1 -c fsync=off\" start >/dev/null 2>&1",
                    as_owner_, bindir_, dir_, dir_, port_, dir_));
  }

 private:
  int port_;
  std::string dir_, as_owner_, bindir_;

  static bool shell(const std::string& command) { return std::system(command.c_str()) == 0; }

  static std::string newest_bindir() {
    std::string best;
    int best_version = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql")) {
      int version = std::atoi(entry.path().filename().c_str());
      if (version > best_version && std::filesystem::exists(entry.path() / "bin" / "initdb")) {
        best_version = version;
        best = (entry.path() / "bin").string();
      }
    }
    REQUIRE_MESSAGE(!best.empty(), "no PostgreSQL server binaries in /usr/lib/postgresql");
    return best;
  }
};

}  // namespace

TEST_SUITE("pg") {
  TEST_CASE("pg: statements run with parameters and fail with the server's message and SQLSTATE") {
    Connection connection = testing::open_server();
    CHECK(connection.idle());
    CHECK(connection.server_version() >= kMinimumServerVersion);

    Result<QueryResult> rows = connection.exec("SELECT $1::int + 1, $2::text IS NULL, 'x' || $3",
                                               {"41", std::nullopt, "y"});
    REQUIRE(rows.ok());
    CHECK(rows->rows() == 1);
    CHECK(rows->columns() == 3);
    CHECK(rows->text(0, 0) == "42");
    CHECK(rows->text(0, 1) == "t");
    CHECK(rows->optional_text(0, 2) == "xy");
    Result<QueryResult> null = connection.exec("SELECT NULL::text");
    REQUIRE(null.ok());
    CHECK(null->is_null(0, 0));
    CHECK(null->optional_text(0, 0) == std::nullopt);
    CHECK(null->text(0, 0).empty());

    Result<QueryResult> missing = connection.exec("SELECT * FROM no_such_table_here");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message ==
          "relation \"no_such_table_here\" does not exist (SQLSTATE 42P01)");
    CHECK(sqlstate_of(missing.error()) == "42P01");
    CHECK(connection.idle());

    Status script = connection.run("CREATE TEMP TABLE t (a int); INSERT INTO t VALUES (1), (2)");
    CHECK(script.ok());
    auto prepared_at = [&] {
      Result<QueryResult> row = connection.exec(
          "SELECT prepare_time::text FROM pg_prepared_statements WHERE statement LIKE '%a > $1%'");
      REQUIRE(row.ok());
      REQUIRE(row->rows() == 1);
      return std::string(row->text(0, 0));
    };
    std::string first;
    for (int i = 0; i < 16; ++i) {  // prepared on first use, reused after
      Result<QueryResult> cached =
          connection.exec_cached("SELECT count(*) FROM t WHERE a > $1", {"0"});
      REQUIRE(cached.ok());
      CHECK(cached->text(0, 0) == "2");
      if (i == 0) first = prepared_at();
      CHECK(prepared_at() == first);
    }
    // The 17th run prepares it again (planned anew for the catalog as it is now).
    Result<QueryResult> replanned =
        connection.exec_cached("SELECT count(*) FROM t WHERE a > $1", {"1"});
    REQUIRE(replanned.ok());
    CHECK(replanned->text(0, 0) == "1");
    CHECK(prepared_at() > first);
    Status failed = connection.run("SELECT 1/0");
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().message == "division by zero (SQLSTATE 22012)");

    Status hinted = connection.run(
        "DO $$ BEGIN RAISE EXCEPTION 'boom' USING DETAIL = 'the detail', HINT = 'a hint'; END $$");
    REQUIRE_FALSE(hinted.ok());
    CHECK(hinted.error().message == "boom (SQLSTATE P0001)\nDETAIL: the detail\nHINT: a hint");
    CHECK(sqlstate_of(hinted.error()) == "P0001");
    CHECK(sqlstate_of(Error{"no state here", "", 0}).empty());
  }

  TEST_CASE("pg: a missing database fails at once with a clear message") {
    DatabaseUrl server = server_url();
    ConnectionParams params = server.libpq().with_database("no_such_database_ag");
    params.set("password", "hunter2");  // trust authentication ignores it; it must not show
    Clock::time_point start = Clock::now();
    Result<Connection> connection = connect_with_retry(params, {.timeout = 20s});
    REQUIRE_FALSE(connection.ok());
    CHECK(seconds_since(start) < 5);
    CHECK(
        connection.error().message ==
        fmt::format(
            "database \"no_such_database_ag\" does not exist on PostgreSQL at {}; name an existing "
            "database in database-url (e.g. postgres): alembic-gate only connects to it to create "
            "its scratch databases",
            params.server()));
    CHECK_FALSE(contains(connection.error().message, "hunter2"));
  }

  TEST_CASE("pg: an unknown role or one that may not log in fails authentication at once") {
    testing::TestRole no_login("NOLOGIN");
    for (const std::string& user : {std::string("no_such_role_ag"), no_login.name()}) {
      CAPTURE(user);
      Clock::time_point start = Clock::now();
      Result<Connection> connection =
          connect_with_retry(testing::url_as(user).libpq(), {.timeout = 20s});
      REQUIRE_FALSE(connection.ok());
      CHECK(seconds_since(start) < 5);
      CHECK(contains(connection.error().message, "authentication failed at PostgreSQL "));
      CHECK(contains(connection.error().message, "; check the user and password in database-url"));
    }
    Result<Connection> unknown = connect(testing::url_as("no_such_role_ag").libpq());
    REQUIRE_FALSE(unknown.ok());
    INFO(unknown.error().message);
    CHECK(contains(unknown.error().message, "role \"no_such_role_ag\" does not exist"));
    Result<Connection> refused = connect(testing::url_as(no_login.name()).libpq());
    REQUIRE_FALSE(refused.ok());
    CHECK(contains(refused.error().message, "is not permitted to log in"));
  }

  TEST_CASE("pg: SSL required by database-url but not offered by the server") {
    ConnectionParams params = server_url().libpq();
    params.set("sslmode", "require");
    Result<Connection> connection = connect_with_retry(params, {.timeout = 20s});
    REQUIRE_FALSE(connection.ok());
    CHECK(
        connection.error().message ==
        fmt::format(
            "PostgreSQL at {} does not support SSL, but database-url requires it (server does not "
            "support SSL, but SSL was required); use sslmode=prefer or disable",
            params.server()));
  }

  TEST_CASE("pg: an unreachable port is retried with backoff until the timeout") {
    int port = free_port();
    ConnectionParams params =
        params_for(fmt::format("postgresql://postgres:hunter2@127.0.0.1:{}/postgres", port));
    std::vector<std::string> log;
    ConnectOptions options{.timeout = 1500ms,
                           .log = [&](const std::string& line) { log.push_back(line); },
                           .container_action = false};
    Clock::time_point start = Clock::now();
    Result<Connection> connection = connect_with_retry(params, options);
    double elapsed = seconds_since(start);
    REQUIRE_FALSE(connection.ok());
    CHECK(elapsed >= 1.4);
    CHECK(elapsed < 5);
    const std::string& message = connection.error().message;
    CHECK(contains(message, fmt::format("cannot reach PostgreSQL at 127.0.0.1:{}: Connection "
                                        "refused (gave up after 1.5 s, ",
                                        port)));
    CHECK_FALSE(contains(message, "hunter2"));
    CHECK_FALSE(contains(message, "container action"));
    REQUIRE(log.size() >= 3);
    CHECK(log[0] == fmt::format("PostgreSQL at 127.0.0.1:{} not ready: Connection refused (attempt "
                                "1; retrying in 0.1 s)",
                                port));
    CHECK(log[1] == fmt::format("PostgreSQL at 127.0.0.1:{} not ready: Connection refused (attempt "
                                "2; retrying in 0.2 s)",
                                port));
    CHECK(log[2] == fmt::format("PostgreSQL at 127.0.0.1:{} not ready: Connection refused (attempt "
                                "3; retrying in 0.4 s)",
                                port));
    for (const std::string& line : log) CHECK_FALSE(contains(line, "hunter2"));
  }

  TEST_CASE("pg: in a container action, localhost and an unknown host are said at once") {
    int port = free_port();
    std::vector<std::string> log;
    ConnectOptions options{.timeout = 20s,
                           .log = [&](const std::string& line) { log.push_back(line); },
                           .container_action = true};
    Clock::time_point start = Clock::now();
    Result<Connection> loopback = connect_with_retry(
        params_for(fmt::format("postgresql://postgres@localhost:{}/postgres", port)), options);
    REQUIRE_FALSE(loopback.ok());
    CHECK(loopback.error().message ==
          fmt::format("cannot reach PostgreSQL at localhost:{}: Connection refused; inside a "
                      "container action localhost is the action's own container: reach the "
                      "workflow's service by its label, e.g. postgres:5432",
                      port));
    Result<Connection> unknown = connect_with_retry(
        params_for("postgresql://postgres@no-such-service.invalid/postgres"), options);
    REQUIRE_FALSE(unknown.ok());
    INFO(unknown.error().message);
    CHECK(contains(unknown.error().message,
                   "cannot reach PostgreSQL at no-such-service.invalid: could not translate "
                   "host name"));
    CHECK(unknown.error().message.ends_with(
        "; inside a container action every service's label resolves before the step starts, so "
        "this host name is misspelt or no service of the job: reach the workflow's service by "
        "its label under `services:`, e.g. postgres:5432"));
    CHECK(seconds_since(start) < 5);  // not 20 s: no attempt was repeated
    CHECK(log.empty());
  }

  TEST_CASE("pg: a server that starts 5 s late is waited for, and a wrong password is refused") {
    int port = free_port();
    const std::string password = "right-pass";
    PasswordCluster cluster(port, password);
    Clock::time_point start = Clock::now();
    std::thread starter([&] {
      bool ready = cluster.init();
      std::this_thread::sleep_until(start + 5s);
      if (ready) cluster.start();
    });
    struct Join {
      std::thread& thread;
      ~Join() {
        if (thread.joinable()) thread.join();
      }
    } join{starter};

    std::vector<std::string> log;
    ConnectOptions options{.timeout = 60s,
                           .log = [&](const std::string& line) { log.push_back(line); },
                           .container_action = false};  // a refused 127.0.0.1 is waited for
    ConnectionParams right =
        params_for(fmt::format("postgresql://postgres:{}@127.0.0.1:{}/postgres", password, port));
    Result<Connection> connection = connect_with_retry(right, options);
    REQUIRE_MESSAGE(connection.ok(), (connection.ok() ? "" : connection.error().message));
    CHECK(seconds_since(start) >= 5);
    REQUIRE_FALSE(log.empty());
    CHECK(contains(
        log.front(),
        fmt::format("PostgreSQL at 127.0.0.1:{} not ready: Connection refused (attempt 1;", port)));
    for (const std::string& line : log) CHECK_FALSE(contains(line, password));
    starter.join();

    ConnectionParams wrong =
        params_for(fmt::format("postgresql://postgres:hunter2@127.0.0.1:{}/postgres", port));
    Clock::time_point attempt = Clock::now();
    Result<Connection> refused = connect_with_retry(wrong, {.timeout = 20s});
    REQUIRE_FALSE(refused.ok());
    CHECK(seconds_since(attempt) < 5);  // not retried
    CHECK(
        refused.error().message ==
        fmt::format(
            "authentication failed at PostgreSQL 127.0.0.1:{}, database postgres, user postgres: "
            "password authentication failed for user \"postgres\"; check the user and password in "
            "database-url",
            port));
    CHECK_FALSE(contains(refused.error().message, "hunter2"));
    CHECK_FALSE(contains(refused.error().message, "percent-encoded"));

    // "p%ss:w" written as it is: "%ss" is no escape, so the password reaches the server as
    // written, and fails; the message says how to write such a password.
    ConnectionParams unencoded =
        params_for(fmt::format("postgresql://postgres:p%ss:w@127.0.0.1:{}/postgres", port));
    Result<Connection> unencoded_refused = connect(unencoded);
    REQUIRE_FALSE(unencoded_refused.ok());
    CHECK(contains(unencoded_refused.error().message,
                   "; check the user and password in database-url; a password holding @ : / ? # "
                   "% [ ] or a space must be written percent-encoded in the URL (@ as %40, : as "
                   "%3A, / as %2F, ? as %3F, # as %23, % as %25, a space as %20)"));
    CHECK_FALSE(contains(unencoded_refused.error().message, "p%ss"));

    ConnectionParams none =
        params_for(fmt::format("postgresql://postgres@127.0.0.1:{}/postgres", port));
    none.set("passfile", "/nonexistent");  // no ~/.pgpass either
    Result<Connection> missing = connect(none);
    REQUIRE_FALSE(missing.ok());
    CHECK(contains(missing.error().message, "authentication failed at PostgreSQL"));
    CHECK(contains(missing.error().message, "no password supplied"));
  }

  TEST_CASE("pg: servers older than PostgreSQL 12 are refused") {
    CHECK(require_supported_version(120000).ok());
    CHECK(require_supported_version(170002).ok());
    Status eleven = require_supported_version(110005);
    REQUIRE_FALSE(eleven.ok());
    CHECK(eleven.error().message ==
          "PostgreSQL 11.5 is not supported; alembic-gate needs PostgreSQL 12 or newer");
    Status nine = require_supported_version(90624);
    REQUIRE_FALSE(nine.ok());
    CHECK(nine.error().message ==
          "PostgreSQL 9.6.24 is not supported; alembic-gate needs PostgreSQL 12 or newer");
  }

  TEST_CASE("pg: libpq's connection failures are classified") {
    struct Row {
      std::string message;
      ConnectFailure failure;
    };
    const std::vector<Row> table = {
        {"connection to server at \"127.0.0.1\", port 5999 failed: Connection refused\n\tIs the "
         "server running "
         "on that host and accepting TCP/IP connections?",
         ConnectFailure::unreachable},
        {"connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: No such file or directory",
         ConnectFailure::unreachable},
        {"could not translate host name \"postgres\" to address: Name or service not known",
         ConnectFailure::unreachable},
        {"could not translate host name \"postgres\" to address: Temporary failure in name "
         "resolution",
         ConnectFailure::unreachable},
        {"connection to server at \"10.0.0.1\", port 5432 failed: timeout expired",
         ConnectFailure::unreachable},
        {"connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  the database system is "
         "starting up",
         ConnectFailure::starting_up},
        {"FATAL:  the database system is not yet accepting connections",
         ConnectFailure::starting_up},
        {"FATAL:  sorry, too many clients already", ConnectFailure::starting_up},
        {"FATAL:  password authentication failed for user \"app\"", ConnectFailure::authentication},
        {"fe_sendauth: no password supplied", ConnectFailure::authentication},
        {"FATAL:  role \"app\" does not exist", ConnectFailure::authentication},
        {"FATAL:  role \"app\" is not permitted to log in", ConnectFailure::authentication},
        {"FATAL:  no pg_hba.conf entry for host \"10.1.1.1\", user \"app\", database \"db\", SSL "
         "encryption",
         ConnectFailure::authentication},
        {"FATAL:  no pg_hba.conf entry for host \"10.1.1.1\", user \"app\", database \"db\", no "
         "encryption",
         ConnectFailure::ssl},
        {"FATAL:  no pg_hba.conf entry for host \"10.1.1.1\", user \"app\", database \"db\", SSL "
         "off",
         ConnectFailure::ssl},
        {"server does not support SSL, but SSL was required", ConnectFailure::ssl},
        {"FATAL:  database \"shop\" does not exist", ConnectFailure::missing_database},
        {"something else entirely", ConnectFailure::other},
    };
    for (const Row& row : table) {
      CAPTURE(row.message);
      CHECK(classify_connect_failure(row.message) == row.failure);
    }
  }

  TEST_CASE("pg: identifiers and literals are quoted") {
    CHECK(quote_identifier("users") == "\"users\"");
    CHECK(quote_identifier("my \"odd\" name") == "\"my \"\"odd\"\" name\"");
    CHECK(quote_literal("it's") == "'it''s'");
    CHECK(quote_literal("a\\b") == "E'a\\\\b'");
    Connection connection = testing::open_server();
    const std::string tricky = "it's a \\ \"test\"";
    CHECK(testing::query_value(connection, "SELECT " + quote_literal(tricky)) == tricky);
    CHECK(testing::query_value(connection, "SELECT 1 AS " + quote_identifier(tricky)) == "1");
  }

}  // TEST_SUITE

}  // namespace ag::pg
