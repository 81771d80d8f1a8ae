#include "alembic/error_summary.h"

#include <regex>
#include <string_view>

#include "util/text.h"

namespace ag::alembic {
namespace {

constexpr size_t kMaxStatementLength = 300;

}  // namespace

std::string summarize_error(const std::string& message) {
  // Python's default repr names an object by its address, which differs from run to run: the
  // same history must give the same findings.
  static const std::regex address(" object at 0x[0-9a-fA-F]+>");
  std::string summary =
      std::regex_replace(message.substr(0, message.find('\n')), address, " object>");
  size_t sql = message.find("\n[SQL: ");
  if (sql != std::string::npos) {
    size_t end = message.find("]\n", sql);
    std::string statement = collapse_whitespace(
        message.substr(sql + 7, end == std::string::npos ? end : end - sql - 7));
    if (statement.size() > kMaxStatementLength)
      statement = statement.substr(0, kMaxStatementLength) + "...";
    summary += " [SQL: " + statement + "]";
  }
  size_t sqlstate = message.rfind(" (SQLSTATE ");
  if (sqlstate != std::string::npos && sqlstate > summary.size())
    summary += message.substr(sqlstate);
  return summary;
}

}  // namespace ag::alembic
