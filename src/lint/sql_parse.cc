#include "lint/sql_parse.h"

#include <pg_query.h>

#include <algorithm>
#include <utility>

#include "util/text.h"

namespace ag::lint {
namespace {

/// Owns what pg_query_parse returns.
class ParseResult {
 public:
  explicit ParseResult(const std::string& sql) : result_(pg_query_parse(sql.c_str())) {}
  ParseResult(const ParseResult&) = delete;
  ParseResult& operator=(const ParseResult&) = delete;
  ~ParseResult() { pg_query_free_parse_result(result_); }

  const PgQueryError* error() const { return result_.error; }
  const char* tree() const { return result_.parse_tree; }

 private:
  PgQueryParseResult result_;
};

/// The 1-based line of byte `offset` (0-based; clamped to `text`).
int line_at(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
}

/// The statement's text: libpg_query gives byte offsets; a missing length means "to the end".
std::string text_of(std::string_view sql, const nlohmann::json& raw) {
  size_t start = std::min<size_t>(raw.value("stmt_location", 0), sql.size());
  size_t length = raw.value("stmt_len", 0);
  std::string_view text = length == 0 ? sql.substr(start) : sql.substr(start, length);
  text = trim(text);
  if (text.ends_with(';')) text = trim(text.substr(0, text.size() - 1));
  return std::string(text);
}

}  // namespace

Result<std::vector<ParsedStatement>> parse_sql(std::string_view sql) {
  std::string owned(sql);
  ParseResult parsed(owned);
  if (const PgQueryError* error = parsed.error()) {
    // cursorpos is 1-based; 0 when the parser names no position (e.g. at the end of input).
    size_t at = error->cursorpos > 0 ? static_cast<size_t>(error->cursorpos - 1) : owned.size();
    return Error{error->message ? error->message : "syntax error", "", line_at(owned, at)};
  }
  // Without exceptions: a tree nlohmann cannot read (it should not happen) is an Error too.
  nlohmann::json tree = nlohmann::json::parse(parsed.tree(), nullptr, false);
  if (tree.is_discarded()) return Error{"libpg_query returned a parse tree that is not JSON"};
  std::vector<ParsedStatement> statements;
  for (nlohmann::json& raw : tree["stmts"])
    statements.push_back({text_of(owned, raw), std::move(raw["stmt"])});
  return statements;
}

}  // namespace ag::lint
