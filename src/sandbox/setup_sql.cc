#include "sandbox/setup_sql.h"

#include <fmt/format.h>

#include <filesystem>

#include "util/file.h"
#include "util/text.h"

namespace ag::sandbox {

Result<std::string> setup_statements(const config::Settings& settings) {
  std::string_view value = trim(settings.setup_sql);
  bool names_file = value.ends_with(".sql") && value.find('\n') == std::string_view::npos;
  if (!names_file) return std::string(value);
  std::filesystem::path path = std::filesystem::path(settings.working_directory) / value;
  Result<std::string> text = read_file(path);
  if (!text) return Error{"setup-sql: " + text.error().message, text.error().where};
  return text;
}

Status run_setup_sql(pg::Connection& connection, const config::Settings& settings,
                     const std::string& database) {
  Result<std::string> statements = setup_statements(settings);
  if (!statements) return statements.error();
  if (statements->empty()) return ok();
  Status done = connection.run(*statements);
  if (!done) {
    return Error{fmt::format("setup-sql failed in {}: {}", database, done.error().message),
                 done.error().where, done.error().line, done.error().detail};
  }
  return ok();
}

}  // namespace ag::sandbox
