// Helpers shared by the tests that need the test server (src/pg, src/catalog, checks). Header-only,
// so the library never sees it. The server is the test suite's (support/postgres.h): trust
// authentication for the postgres superuser on 127.0.0.1.
#pragma once

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.h"
#include "pg/database_url.h"
#include "pg/scratch_database.h"
#include "support/postgres.h"
#include "util/text.h"

namespace ag::pg::testing {

/// The test server's URL (superuser, database postgres).
inline DatabaseUrl server_url() {
  Result<DatabaseUrl> url = parse_database_url(ag::test::postgres_url());
  REQUIRE_MESSAGE(url.ok(), (url.ok() ? "" : url.error().message));
  return *url;
}

/// `url` as another user (no password).
inline DatabaseUrl url_as(const std::string& user, const std::string& database = "postgres") {
  DatabaseUrl server = server_url();
  Result<DatabaseUrl> url = parse_database_url(fmt::format(
      "postgresql://{}@{}:{}/{}", percent_encode(user), server.host(), server.port(), database));
  REQUIRE(url.ok());
  return *url;
}

inline Connection open(const ConnectionParams& params) {
  Result<Connection> connection = connect(params);
  REQUIRE_MESSAGE(connection.ok(), (connection.ok() ? "" : connection.error().message));
  return std::move(*connection);
}

inline Connection open_server() {
  return open(server_url().libpq());
}

inline void run(Connection& connection, const std::string& sql) {
  Status done = connection.run(sql);
  REQUIRE_MESSAGE(done.ok(), (done.ok() ? "" : done.error().message + "\nin: " + sql));
}

/// The first field of the first row.
inline std::string query_value(Connection& connection, const std::string& sql,
                               const std::vector<Param>& params = {}) {
  Result<QueryResult> result = connection.exec(sql, params);
  REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message + "\nin: " + sql));
  REQUIRE(result->rows() > 0);
  return std::string(result->text(0, 0));
}

inline bool database_exists(const std::string& name) {
  Connection server = open_server();
  return query_value(server, "SELECT count(*) FROM pg_database WHERE datname = $1", {name}) == "1";
}

/// 8 random hex digits, for names that concurrent tests must not share.
inline std::string random_suffix() {
  std::random_device device;
  return fmt::format("{:08x}", device());
}

inline ScratchDatabase scratch_database(const DatabaseUrl& url,
                                        const ScratchOptions& options = {}) {
  Result<ScratchDatabase> scratch = ScratchDatabase::create(url, options);
  REQUIRE_MESSAGE(scratch.ok(), (scratch.ok() ? "" : scratch.error().message));
  return std::move(*scratch);
}

inline ScratchDatabase scratch_database() {
  return scratch_database(server_url());
}

/// A role for one test, dropped (with what it owns) at the end.
class TestRole {
 public:
  /// CREATE ROLE ag_test_<random> `attributes`, e.g. "LOGIN NOCREATEDB".
  explicit TestRole(const std::string& attributes) : name_("ag_test_" + random_suffix()) {
    Connection server = open_server();
    run(server, fmt::format("CREATE ROLE {} {}", name_, attributes));
  }
  ~TestRole() {
    Result<Connection> server = connect(server_url().libpq());
    if (server) (void)server->run(fmt::format("DROP ROLE IF EXISTS {}", name_));
  }
  TestRole(const TestRole&) = delete;
  TestRole& operator=(const TestRole&) = delete;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

/// A database for one test (made by the superuser), dropped at the end.
class TestDatabase {
 public:
  explicit TestDatabase(const std::string& owner = "postgres")
      : name_("ag_test_" + random_suffix()) {
    Connection server = open_server();
    run(server, fmt::format("CREATE DATABASE {} OWNER {}", name_, owner));
  }
  ~TestDatabase() { (void)drop_database(server_url().libpq(), name_); }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  const std::string& name() const { return name_; }
  /// A superuser connection to it.
  Connection open_as_superuser() const { return open(server_url().libpq().with_database(name_)); }

 private:
  std::string name_;
};

}  // namespace ag::pg::testing
