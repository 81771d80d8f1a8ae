#include "sandbox/setup_sql.h"

#include <fmt/format.h>

#include <filesystem>

#include "util/file.h"
#include "util/text.h"

namespace ag::sandbox {

Result<std::string> setup_statements(const config::Settings& settings) {
  std::string_view value = trim(settings.setup_sql);
  std::filesystem::path path = std::filesystem::path(settings.working_directory) / value;
  // SQL has blanks ("CREATE SCHEMA a"); a file's name has none, and is there or ends in .sql.
  std::error_code ignored;
  bool names_file =
      !value.empty() && value.find_first_of(" \t\r\n") == std::string_view::npos &&
      (lower(value).ends_with(".sql") || std::filesystem::is_regular_file(path, ignored));
  if (!names_file) return std::string(value);
  Result<std::string> text = read_file(path);
  if (!text) return Error{"setup-sql: " + text.error().message, text.error().where};
  return text;
}

Status run_setup_sql(const pg::ConnectionParams& params, const pg::ConnectOptions& connect,
                     const config::Settings& settings, const std::string& database) {
  Result<std::string> statements = setup_statements(settings);
  if (!statements || statements->empty()) return statements ? ok() : Status(statements.error());
  Result<pg::Connection> session = pg::connect_with_retry(params, connect);
  if (!session) return session.error();
  Status done = session->run(fmt::format("SET statement_timeout = '{}s'", settings.step_timeout));
  if (done) done = session->run(*statements);
  if (!done) {
    return Error{fmt::format("setup-sql failed in {}: {}", database, done.error().message),
                 done.error().where, done.error().line, done.error().detail};
  }
  if (!session->idle()) {
    return Error{
        fmt::format("setup-sql left a transaction open in {} (a BEGIN without its "
                    "COMMIT): what it made would be rolled back; end it with COMMIT",
                    database)};
  }
  return ok();
}

}  // namespace ag::sandbox
