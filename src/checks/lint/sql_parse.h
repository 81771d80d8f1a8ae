// PostgreSQL's own parser (libpg_query), for reading the SQL a migration emits. Never regular
// expressions: the parse tree says what a statement does, whatever its spelling.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace ag::checks::lint {

/// One statement as PostgreSQL's parser read it.
struct ParsedStatement {
  std::string text;  ///< The statement's own text, trimmed, without the terminator.
  /// One node, e.g. {"IndexStmt": {...}}, in libpg_query's JSON form; its "location"s are byte
  /// offsets into `text` (-1: unknown).
  nlohmann::json tree;
};

/// The statements in `sql` (one or several; blanks and comments alone yield none). An Error
/// carries the parser's message and, in `line`, the 1-based line of `sql` it stopped at.
Result<std::vector<ParsedStatement>> parse_sql(std::string_view sql);

}  // namespace ag::checks::lint
