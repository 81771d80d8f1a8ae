#include "checks/lint/sql_parse.h"

#include <pg_query.h>

#include <algorithm>
#include <utility>

#include "util/text.h"

namespace ag::checks::lint {
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
/// `offset` receives where the text starts in `sql`.
std::string text_of(std::string_view sql, const nlohmann::json& raw, size_t& offset) {
  size_t start = std::min<size_t>(raw.value("stmt_location", 0), sql.size());
  size_t length = raw.value("stmt_len", 0);
  std::string_view text = length == 0 ? sql.substr(start) : sql.substr(start, length);
  std::string_view trimmed = trim(text);
  offset = start + static_cast<size_t>(trimmed.data() - text.data());
  if (trimmed.ends_with(';')) trimmed = trim(trimmed.substr(0, trimmed.size() - 1));
  return std::string(trimmed);
}

/// Makes every "location" in `node` (a byte offset into the parsed SQL) an offset into the
/// statement's own text, which starts at `offset`.
void rebase_locations(nlohmann::json& node, size_t offset) {
  if (node.is_array()) {
    for (nlohmann::json& item : node) rebase_locations(item, offset);
    return;
  }
  if (!node.is_object()) return;
  for (auto& [key, value] : node.items()) {
    if (key == "location" && value.is_number_integer() && value.get<long>() >= 0)
      value = value.get<long>() - static_cast<long>(offset);
    else
      rebase_locations(value, offset);
  }
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
  for (nlohmann::json& raw : tree["stmts"]) {
    size_t offset = 0;
    std::string text = text_of(owned, raw, offset);
    rebase_locations(raw["stmt"], offset);
    statements.push_back({std::move(text), std::move(raw["stmt"])});
  }
  return statements;
}

}  // namespace ag::checks::lint
