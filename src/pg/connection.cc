#include "pg/connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace ag::pg {
namespace {

using Clock = std::chrono::steady_clock;

Error failure(std::string message) {
  return Error{std::move(message), "", 0};
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string_view trim(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

/// The first line of libpq's message without its "connection to server ... failed: " and
/// "FATAL:  " prefixes: "password authentication failed for user "app"".
std::string reason_of(std::string_view message) {
  std::string_view line = trim(message);
  line = line.substr(0, line.find('\n'));
  if (line.substr(0, 21) == "connection to server ") {
    if (size_t failed = line.find(" failed: "); failed != std::string_view::npos) {
      line.remove_prefix(failed + 9);
    }
  }
  for (std::string_view prefix : {"FATAL:  ", "ERROR:  "}) {
    if (line.substr(0, prefix.size()) == prefix) line.remove_prefix(prefix.size());
  }
  line = trim(line);
  return line.empty() ? "unknown error" : std::string(line);
}

std::string seconds(std::chrono::milliseconds duration) {
  return fmt::format("{:g} s", static_cast<double>(duration.count()) / 1000.0);
}

bool is_loopback(const ConnectionParams& params) {
  std::string host = params.get("host");
  if (host.empty()) host = params.get("hostaddr");
  return host.empty() || host.front() == '/' || host == "localhost" || host == "127.0.0.1" ||
         host == "::1";
}

/// A name the resolver says does not exist; not "Temporary failure in name resolution", a
/// resolver that may answer on the next try.
bool is_unknown_host(std::string_view reason) {
  if (contains(reason, "Temporary failure")) return false;
  return contains(reason, "could not translate host name") ||
         contains(reason, "Name or service not known") || contains(reason, "name resolution");
}

/// Inside a container action, what an unreachable server means for sure; "" when nothing is sure.
std::string container_action_mistake(const ConnectionParams& params, std::string_view reason) {
  if (is_loopback(params)) {
    return "; inside a container action localhost is the action's own container: reach the "
           "workflow's service by its label, e.g. postgres:5432";
  }
  if (is_unknown_host(reason)) {
    return "; inside a container action every service's label resolves before the step starts, "
           "so this host name is misspelt or no service of the job: reach the workflow's service "
           "by its label under `services:`, e.g. postgres:5432";
  }
  return "";
}

/// One connection attempt, before its failure is put into words.
struct Attempt {
  std::optional<Connection> connection;
  ConnectFailure failure = ConnectFailure::other;
  std::string reason;
};

/// A password that holds a character a URL gives a meaning to was perhaps written as it is: the
/// URL then says something else (a '%' starts an escape, a ':' or '@' ends a part).
std::string percent_encoding_hint(std::string_view password) {
  if (password.find_first_of("@:/?#%[] ") == std::string_view::npos) return "";
  return "; a password holding @ : / ? # % [ ] or a space must be written percent-encoded in the "
         "URL (@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25, a space as %20)";
}

std::string describe_failure(const ConnectionParams& params, const Attempt& attempt,
                             bool container_action, std::string_view setting = "database-url") {
  const std::string& reason = attempt.reason;
  switch (attempt.failure) {
    case ConnectFailure::unreachable:
    case ConnectFailure::starting_up: {
      std::string text = fmt::format("cannot reach PostgreSQL at {}: {}", params.server(), reason);
      if (container_action && attempt.failure == ConnectFailure::unreachable)
        text += container_action_mistake(params, reason);
      else if (setting != "database-url")
        text += fmt::format("; check the host and port in {}", setting);
      return text;
    }
    case ConnectFailure::authentication:
      return fmt::format(
          "authentication failed at PostgreSQL {}: {}; check the user and password "
          "in {}{}",
          params.describe(), reason, setting, percent_encoding_hint(params.get("password")));
    case ConnectFailure::missing_database:
      if (setting != "database-url")
        return fmt::format("{} on PostgreSQL at {}; check the database {} names", reason,
                           params.server(), setting);
      return fmt::format(
          "{} on PostgreSQL at {}; name an existing database in database-url (e.g. "
          "postgres): alembic-gate only connects to it to create its scratch databases",
          reason, params.server());
    case ConnectFailure::ssl:
      if (contains(reason, "does not support SSL")) {
        return fmt::format(
            "PostgreSQL at {} does not support SSL, but {} requires it ({}); "
            "use sslmode=prefer or disable",
            params.server(), setting, reason);
      }
      return fmt::format(
          "PostgreSQL at {} requires SSL ({}); add ?sslmode=require to {} "
          "(asyncpg: ?ssl=require)",
          params.server(), reason, setting);
    case ConnectFailure::other:
      break;
  }
  return fmt::format("cannot connect to PostgreSQL at {}: {}{}", params.describe(), reason,
                     setting == "database-url" ? "" : fmt::format(" (check {})", setting));
}

void ignore_notice(void* /*unused*/, const char* /*message*/) {}

Attempt attempt_connection(const ConnectionParams& params) {
  std::vector<const char*> keywords, values;
  for (const auto& [keyword, value] : params.values()) {
    keywords.push_back(keyword.c_str());
    values.push_back(value.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* raw = PQconnectdbParams(keywords.data(), values.data(), 0);
  if (raw == nullptr) throw std::bad_alloc();
  Connection connection = Connection::adopt(raw);  // owned from here, failed or not
  Attempt attempt;
  if (PQstatus(raw) != CONNECTION_OK) {
    attempt.reason = reason_of(PQerrorMessage(raw));
    attempt.failure = PQconnectionNeedsPassword(raw) != 0
                          ? ConnectFailure::authentication
                          : classify_connect_failure(PQerrorMessage(raw));
    return attempt;
  }
  PQsetNoticeProcessor(raw, ignore_notice, nullptr);  // NOTICEs would land on stderr otherwise
  attempt.connection.emplace(std::move(connection));
  return attempt;
}

/// The version check after a successful attempt; a failure is final.
Result<Connection> checked(const ConnectionParams& params, Connection connection) {
  Status supported = require_supported_version(connection.server_version());
  if (!supported)
    return failure(fmt::format("PostgreSQL at {}: {}", params.server(), supported.error().message));
  return connection;
}

bool retried(ConnectFailure failure) {
  return failure == ConnectFailure::unreachable || failure == ConnectFailure::starting_up;
}

/// libpq's own per-attempt limit, so one hanging attempt cannot outlast the whole budget.
ConnectionParams with_attempt_timeout(const ConnectionParams& params, Clock::duration remaining) {
  if (params.has("connect_timeout")) return params;
  auto whole = std::chrono::ceil<std::chrono::seconds>(remaining).count();
  ConnectionParams copy = params;
  copy.set("connect_timeout", std::to_string(std::clamp<long long>(whole, 2, 10)));
  return copy;
}

}  // namespace

// ---- QueryResult ------------------------------------------------------------------------------

void QueryResult::Clear::operator()(pg_result* result) const {
  PQclear(result);
}

int QueryResult::rows() const {
  return PQntuples(result_.get());
}
int QueryResult::columns() const {
  return PQnfields(result_.get());
}
bool QueryResult::is_null(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view QueryResult::text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<size_t>(PQgetlength(result_.get(), row, column))};
}

std::optional<std::string> QueryResult::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return std::string(text(row, column));
}

// ---- Connection -------------------------------------------------------------------------------

void Connection::Finish::operator()(pg_conn* connection) const {
  PQfinish(connection);
}

Connection Connection::adopt(pg_conn* connection) {
  return Connection(connection);
}

namespace {

/// The server's refusal in one message: primary text, SQLSTATE, then DETAIL and HINT lines.
Error statement_error(PGconn* connection, const PGresult* result) {
  if (result == nullptr) return failure(reason_of(PQerrorMessage(connection)));
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  std::string message = primary != nullptr ? primary : reason_of(PQresultErrorMessage(result));
  if (sqlstate != nullptr) message += fmt::format(" (SQLSTATE {})", sqlstate);
  if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
    message += fmt::format("\nDETAIL: {}", detail);
  }
  if (const char* hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT)) {
    message += fmt::format("\nHINT: {}", hint);
  }
  return failure(message);
}

Result<QueryResult> outcome(PGconn* connection, PGresult* raw) {
  QueryResult result(raw);  // owns raw from here on, also on the error path
  ExecStatusType status = raw == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(raw);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    return result;
  }
  return statement_error(connection, raw);
}

/// Pointers into `params` for libpq; nullptr for NULL.
std::vector<const char*> param_values(const std::vector<Param>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& param : params) values.push_back(param ? param->c_str() : nullptr);
  return values;
}

}  // namespace

Result<QueryResult> Connection::exec(const std::string& sql, const std::vector<Param>& params) {
  std::vector<const char*> values = param_values(params);
  PGresult* raw = PQexecParams(native(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
  return outcome(native(), raw);
}

Status Connection::prepare(const std::string& sql, int parameters, Prepared& statement) {
  if (statement.runs > 0) {
    Status deallocated = run("DEALLOCATE " + statement.name);
    if (!deallocated) return deallocated;
  }
  Result<QueryResult> prepared = outcome(
      native(), PQprepare(native(), statement.name.c_str(), sql.c_str(), parameters, nullptr));
  if (!prepared) return prepared.error();
  if (statement.runs > 0) statement.replan_at = std::min(2 * statement.replan_at, 256);
  statement.runs = 0;
  return ok();
}

Result<QueryResult> Connection::exec_cached(const std::string& sql,
                                            const std::vector<Param>& params) {
  auto found = prepared_.find(sql);
  bool fresh = found == prepared_.end();
  if (fresh) {
    found = prepared_.emplace(sql, Prepared{fmt::format("alembic_gate_{}", prepared_.size() + 1)})
                .first;
  }
  Prepared& statement = found->second;
  if (fresh || statement.runs >= statement.replan_at) {
    if (Status prepared = prepare(sql, static_cast<int>(params.size()), statement); !prepared) {
      if (fresh) prepared_.erase(found);
      return prepared.error();
    }
  }
  ++statement.runs;
  std::vector<const char*> values = param_values(params);
  PGresult* raw = PQexecPrepared(native(), statement.name.c_str(), static_cast<int>(values.size()),
                                 values.data(), nullptr, nullptr, 0);
  return outcome(native(), raw);
}

Status Connection::run(const std::string& sql) {
  Result<QueryResult> result = outcome(native(), PQexec(native(), sql.c_str()));
  if (!result) return result.error();
  return ok();
}

int Connection::server_version() const {
  return PQserverVersion(native());
}

bool Connection::idle() const {
  return PQtransactionStatus(native()) == PQTRANS_IDLE;
}

// ---- connecting -------------------------------------------------------------------------------

bool ConnectOptions::running_as_container_action() {
  const char* value = std::getenv("GITHUB_ACTIONS");
  if (value == nullptr || std::string_view(value) != "true") return false;
  std::error_code ignored;
  return std::filesystem::exists("/.dockerenv", ignored) ||
         std::filesystem::exists("/run/.containerenv", ignored);
}

ConnectFailure classify_connect_failure(std::string_view message) {
  constexpr std::array kSsl = {"SSL was required", "no encryption", "SSL off",
                               "SSL error",        "SSL SYSCALL",   "does not support SSL",
                               "SSL connection"};
  constexpr std::array kStarting = {"starting up",
                                    "not yet accepting connections",
                                    "in recovery mode",
                                    "shutting down",
                                    "too many clients",
                                    "too many connections",
                                    "connection slots are reserved"};
  constexpr std::array kAuthentication = {"authentication failed", "no password supplied",
                                          "is not permitted to log in", "pg_hba.conf",
                                          "password is required"};
  constexpr std::array kUnreachable = {"Connection refused",
                                       "No such file or directory",
                                       "could not translate host name",
                                       "Name or service not known",
                                       "name resolution",
                                       "No route to host",
                                       "Network is unreachable",
                                       "timeout expired",
                                       "Connection timed out",
                                       "server closed the connection unexpectedly",
                                       "Connection reset by peer"};
  auto any = [&](const auto& parts) {
    return std::any_of(parts.begin(), parts.end(),
                       [&](const char* part) { return contains(message, part); });
  };
  if (any(kSsl)) return ConnectFailure::ssl;
  if (any(kStarting)) return ConnectFailure::starting_up;
  if (any(kAuthentication)) return ConnectFailure::authentication;
  if (contains(message, "role \"") && contains(message, "does not exist")) {
    return ConnectFailure::authentication;
  }
  if (contains(message, "database \"") && contains(message, "does not exist")) {
    return ConnectFailure::missing_database;
  }
  if (any(kUnreachable)) return ConnectFailure::unreachable;
  return ConnectFailure::other;
}

Status require_supported_version(int server_version) {
  if (server_version >= kMinimumServerVersion) return ok();
  std::string version = server_version >= 100000
                            ? fmt::format("{}.{}", server_version / 10000, server_version % 10000)
                            : fmt::format("{}.{}.{}", server_version / 10000,
                                          server_version / 100 % 100, server_version % 100);
  return failure(fmt::format(
      "PostgreSQL {} is not supported; alembic-gate needs PostgreSQL 12 or newer", version));
}

Result<Connection> connect(const ConnectionParams& params) {
  Attempt attempt = attempt_connection(params);
  if (!attempt.connection) {
    return failure(
        describe_failure(params, attempt, ConnectOptions::running_as_container_action()));
  }
  return checked(params, std::move(*attempt.connection));
}

Result<Connection> connect_with_retry(const ConnectionParams& params,
                                      const ConnectOptions& options) {
  Clock::time_point start = Clock::now();
  Clock::time_point deadline = start + options.timeout;
  std::chrono::milliseconds delay = options.first_delay;
  for (int number = 1;; ++number) {
    Attempt attempt = attempt_connection(with_attempt_timeout(params, deadline - Clock::now()));
    if (attempt.connection) return checked(params, std::move(*attempt.connection));
    std::string problem =
        describe_failure(params, attempt, options.container_action, options.setting);
    bool certain_mistake = options.container_action &&
                           attempt.failure == ConnectFailure::unreachable &&
                           !container_action_mistake(params, attempt.reason).empty();
    if (!retried(attempt.failure) || certain_mistake) return failure(problem);
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (remaining.count() <= 0) {
      return failure(fmt::format("{} (gave up after {}, {} attempts)", problem,
                                 seconds(options.timeout), number));
    }
    std::chrono::milliseconds pause = std::min(delay, remaining);
    if (options.log) {
      options.log(fmt::format("PostgreSQL at {} not ready: {} (attempt {}; retrying in {})",
                              params.server(), attempt.reason, number, seconds(pause)));
    }
    std::this_thread::sleep_for(pause);
    delay = std::min(delay * 2, options.max_delay);
  }
}

// ---- quoting and errors -----------------------------------------------------------------------

std::string sqlstate_of(const Error& error) {
  constexpr std::string_view kMarker = "(SQLSTATE ";
  std::string_view first_line = std::string_view(error.message).substr(0, error.message.find('\n'));
  size_t at = first_line.rfind(kMarker);
  if (at == std::string_view::npos || at + kMarker.size() + 6 > first_line.size()) return "";
  return std::string(first_line.substr(at + kMarker.size(), 5));
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string quote_literal(std::string_view text) {
  bool backslash = text.find('\\') != std::string_view::npos;
  std::string out = backslash ? "E'" : "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out + "'";
}

}  // namespace ag::pg
