// Just enough of Python's tokenizer to read module-level assignments without running the file:
// logical lines (brackets and backslashes join physical lines), strings of every quoting,
// comments skipped. Works on bytes, so a file in any ASCII-compatible encoding can be read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace ag::python {

enum class TokenKind { name, string, number, op };

struct Token {
  TokenKind kind;
  std::string_view text;  ///< As written, including a string's prefix and quotes.
  int line = 0;           ///< 1-based line where the token starts.
};

/// One logical line: a statement (or several joined by ';').
struct LogicalLine {
  std::vector<Token> tokens;
  int first_line = 0;
  int last_line = 0;
  bool indented = false;  ///< False only for module-level statements.
};

class Lexer {
 public:
  /// `source` must outlive the lexer and the tokens it returns.
  explicit Lexer(std::string_view source);

  /// The next logical line, or nullptr at the end. The line lives in the lexer and is replaced
  /// by the next call (reusing its storage keeps large files fast). An error (unterminated
  /// string, unbalanced bracket) names the line; the lexer should not be used after one.
  Result<const LogicalLine*> next();

 private:
  std::string_view source_;
  size_t pos_ = 0;
  int line_ = 1;
  LogicalLine current_;

  void skip_blank_and_comment_lines();
  Result<Token> read_string(size_t start, int line);
  Token read_name_or_number(size_t start);
  Token read_operator(size_t start);
  char peek(size_t offset = 0) const {
    return pos_ + offset < source_.size() ? source_[pos_ + offset] : '\0';
  }
};

/// The value of a string token: escapes decoded unless raw; nullopt for f-strings and bytes,
/// whose value is not a plain string.
std::optional<std::string> string_value(std::string_view token_text);

}  // namespace ag::python
