#include "checks/lint/env_lock_timeout.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "checks/lint/session_state.h"
#include "checks/lint/sql_parse.h"
#include "python/lexer.h"
#include "util/text.h"

namespace ag::checks::lint {
namespace {

constexpr std::string_view kSetting = "lock_timeout";

/// Whether the SQL in `text` leaves a lock_timeout set for the session.
bool sql_sets_lock_timeout(std::string_view text) {
  Result<std::vector<ParsedStatement>> parsed = parse_sql(text);
  if (!parsed) return false;
  SessionState session;
  for (const ParsedStatement& statement : *parsed)
    session.apply(statement.tree, SettingLifetime::run);
  return session.lock_timeout_set();
}

/// The value libpq options (`-c name=value`, `-cname=value`, `--name=value`, separated by white
/// space) give lock_timeout, as SQL: SET lock_timeout = 'value'; "" when they do not name it.
std::string options_as_sql(std::string_view options) {
  std::vector<std::string> words = split(options, " \t\n");
  std::string last;
  for (size_t i = 0; i < words.size(); ++i) {
    std::string setting;
    if (words[i] == "-c" && i + 1 < words.size())
      setting = words[++i];
    else if (words[i].starts_with("--"))
      setting = words[i].substr(2);
    else if (words[i].starts_with("-c"))
      setting = words[i].substr(2);
    size_t equals = setting.find('=');
    std::string name = lower(setting.substr(0, equals));
    std::replace(name.begin(), name.end(), '-', '_');  // --lock-timeout is lock_timeout
    if (equals == std::string::npos || name != kSetting) continue;
    std::string value = setting.substr(equals + 1);
    for (size_t quote = value.find('\''); quote != std::string::npos;
         quote = value.find('\'', quote + 2))
      value.insert(quote, 1, '\'');
    last = fmt::format("SET lock_timeout = '{}'", value);
  }
  return last;
}

bool literal_sets_lock_timeout(std::string_view literal) {
  std::string spelled = lower(literal);
  std::replace(spelled.begin(), spelled.end(), '-', '_');
  if (spelled.find(kSetting) == std::string::npos) return false;  // most literals
  return sql_sets_lock_timeout(literal) || sql_sets_lock_timeout(options_as_sql(literal));
}

}  // namespace

EnvLockTimeout env_lock_timeout(std::string_view env_py_source) {
  python::Lexer lexer(env_py_source);
  Result<const python::LogicalLine*> line = lexer.next();
  for (; line && *line != nullptr; line = lexer.next()) {
    for (const python::Token& token : (*line)->tokens) {
      if (token.kind != python::TokenKind::string) continue;
      std::optional<std::string> value = python::string_value(token.text);
      if (value && literal_sets_lock_timeout(*value)) return {true, std::nullopt};
    }
  }
  if (!line) return {false, line.error()};
  return {};
}

}  // namespace ag::checks::lint
