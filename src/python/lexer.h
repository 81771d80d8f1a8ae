// Just enough of Python's tokenizer to read module-level assignments without running the file:
// logical lines (brackets and backslashes join physical lines), strings of every quoting,
// comments skipped. Works on bytes, so a file in any ASCII-compatible encoding can be read.
#pragma once

#include <optional>
#include <span>
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

/// A comment: from its '#' to the end of its physical line ('\r' excluded).
struct Comment {
  std::string_view text;
  int line = 0;
  bool own_line = false;  ///< Nothing but white space before it on its line.
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
  /// `source` must outlive the lexer and the tokens it returns. With `keep_comments`, the
  /// comments met are collected in comments() (the checks that read ignore comments need them).
  explicit Lexer(std::string_view source, bool keep_comments = false);

  /// The next logical line, or nullptr at the end. The line lives in the lexer and is replaced
  /// by the next call (reusing its storage keeps large files fast). An error (unterminated
  /// string, unbalanced bracket) names the line; the lexer should not be used after one.
  Result<const LogicalLine*> next();

  /// The comments met so far, in source order; empty unless constructed with `keep_comments`.
  const std::vector<Comment>& comments() const { return comments_; }

 private:
  std::string_view source_;
  size_t pos_ = 0;
  int line_ = 1;
  LogicalLine current_;
  bool keep_comments_ = false;
  std::vector<Comment> comments_;

  void skip_blank_and_comment_lines();
  /// Moves pos_ from a '#' to the end of its line, keeping the comment when asked to.
  void skip_comment();
  Result<Token> read_string(size_t start, int line);
  Token read_name_or_number(size_t start);
  Token read_operator(size_t start);
  char peek(size_t offset = 0) const {
    return pos_ + offset < source_.size() ? source_[pos_ + offset] : '\0';
  }
};

/// +1 for an opening bracket token, -1 for a closing one, 0 for any other token.
int bracket_step(const Token& token);

/// The position of the ':' that ends a block header (`def f(x: int):`, `if a[1:2]:`): the first
/// one outside brackets; tokens.size() when there is none.
size_t header_colon(std::span<const Token> tokens);

/// The simple statements of a logical line's tokens: split at each ';' outside brackets; empty
/// pieces dropped.
std::vector<std::span<const Token>> split_statements(std::span<const Token> tokens);

/// The value of a string token: escapes decoded unless raw; nullopt for f-strings and bytes,
/// whose value is not a plain string.
std::optional<std::string> string_value(std::string_view token_text);

}  // namespace ag::python
