// A libpq connection and the results of its statements, owned (RAII) and failing as Results.
//
// Connecting fails in a few ways a user can act on; each becomes one clear message (the caller
// maps them to exit 3): unreachable server, authentication failed, database does not exist, SSL
// required (or unsupported), server older than PostgreSQL 12. A server that is still starting is
// waited for by connect_with_retry(). No message ever contains the password.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/log_line.h"
#include "pg/database_url.h"
#include "util/result.h"

struct pg_conn;
struct pg_result;

namespace ag::pg {

/// The oldest server alembic-gate supports, as PQserverVersion() numbers it.
constexpr int kMinimumServerVersion = 120000;

/// The rows of a successful statement. Owns its PGresult.
class QueryResult {
 public:
  explicit QueryResult(pg_result* result) : result_(result) {}

  [[nodiscard]] int rows() const;
  [[nodiscard]] int columns() const;
  [[nodiscard]] bool is_null(int row, int column) const;
  /// The text of a field; "" when NULL. Valid while this QueryResult lives.
  [[nodiscard]] std::string_view text(int row, int column) const;
  /// The text of a field, or nullopt when NULL.
  [[nodiscard]] std::optional<std::string> optional_text(int row, int column) const;

 private:
  struct Clear {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

/// A statement parameter: text, or nullopt for NULL.
using Param = std::optional<std::string>;

/// An open connection. Owns its PGconn; movable, not copyable.
class Connection {
 public:
  /// Runs one statement with $1.. parameters (PQexecParams, text format). A refusal becomes an
  /// Error whose message is the server's ("... (SQLSTATE 42P01)", then DETAIL/HINT lines).
  Result<QueryResult> exec(const std::string& sql, const std::vector<Param>& params = {});

  /// As exec(), through a statement prepared on first use on this connection and reused after:
  /// for large catalog queries run many times, where planning would dominate. The statement is
  /// prepared again after 16 runs, then after twice as many each time up to every 256: a plan
  /// made on an empty database's catalog (nested loops over a handful of rows) takes ten times
  /// as long once migrations have filled it.
  Result<QueryResult> exec_cached(const std::string& sql, const std::vector<Param>& params = {});

  /// Runs a script of several statements without parameters (simple query protocol).
  Status run(const std::string& sql);

  /// PQserverVersion(): 150004 for 15.4.
  [[nodiscard]] int server_version() const;
  /// True outside any transaction block.
  [[nodiscard]] bool idle() const;
  /// The native handle, for what this class does not wrap.
  [[nodiscard]] pg_conn* native() const { return connection_.get(); }

  /// Takes ownership of a PGconn (open or failed). Contract: `connection` is not null.
  static Connection adopt(pg_conn* connection);

 private:
  struct Finish {
    void operator()(pg_conn* connection) const;
  };
  explicit Connection(pg_conn* connection) : connection_(connection) {}

  /// A statement exec_cached() prepared.
  struct Prepared {
    std::string name;
    int runs = 0;        ///< Since it was (last) prepared.
    int replan_at = 16;  ///< Prepared again when `runs` reaches it.
  };
  /// Prepares `sql` as `statement.name`; deallocates an earlier statement of that name first.
  Status prepare(const std::string& sql, int parameters, Prepared& statement);

  std::unique_ptr<pg_conn, Finish> connection_;
  std::map<std::string, Prepared> prepared_;  ///< SQL text -> its statement (exec_cached).
};

/// One attempt: connects with `params` (PQconnectdbParams, no URL expansion), then checks the
/// server version. The error is classified (see the file comment) and names the server.
Result<Connection> connect(const ConnectionParams& params);

struct ConnectOptions {
  /// Total time to wait for the server to accept connections (connect-timeout).
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds first_delay{100};  ///< Backoff between attempts, doubling ...
  std::chrono::milliseconds max_delay{2000};   ///< ... up to this.
  LogLine log = {};                            ///< One line per failed attempt; may be empty.
  /// Running as a GitHub container action, where localhost is the action's own container and
  /// every service's name already resolves when a step starts: a refused loopback connection
  /// or an unknown host is a mistake in database-url, said at once instead of waited for.
  bool container_action = running_as_container_action();
  /// The setting that names the server, as the messages say what to fix.
  std::string_view setting = "database-url";

  /// GITHUB_ACTIONS=true in the environment, inside a container (/.dockerenv, or podman's
  /// /run/.containerenv).
  static bool running_as_container_action();
};

/// Connects, retrying with backoff while the server is not up yet (connection refused, no
/// socket, name not resolvable yet, "the database system is starting up", too many clients)
/// until `options.timeout` runs out. Authentication, missing database, SSL and version errors
/// are final at once; so are loopback and unknown hosts in a container action.
Result<Connection> connect_with_retry(const ConnectionParams& params,
                                      const ConnectOptions& options = {});

/// How a failed connection attempt is understood.
enum class ConnectFailure {
  unreachable,       ///< Nothing listening yet, or no route: retried.
  starting_up,       ///< The server is there but not ready: retried.
  authentication,    ///< Wrong password, unknown role, no pg_hba entry, login not permitted.
  missing_database,  ///< The database does not exist.
  ssl,               ///< SSL required by one side and unavailable on the other.
  other,
};

/// Classifies libpq's message for a failed connection (PQerrorMessage).
ConnectFailure classify_connect_failure(std::string_view libpq_message);

/// An error when `server_version` (PQserverVersion) is older than PostgreSQL 12.
Status require_supported_version(int server_version);

/// The SQLSTATE of an Error made by Connection::exec(), e.g. "42501"; "" for other errors.
std::string sqlstate_of(const Error& error);

/// `name` as an SQL identifier, always double-quoted: "my ""odd"" name".
std::string quote_identifier(std::string_view name);

/// `text` as an SQL string literal: 'it''s'; E'...' when it holds a backslash.
std::string quote_literal(std::string_view text);

}  // namespace ag::pg
