#include "python/lexer.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

namespace ag::python {
namespace {

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_name_char(char c) {
  return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

bool is_string_prefix(std::string_view word) {
  if (word.size() > 2) return false;
  for (char c : word) {
    if (std::string_view("rRuUbBfF").find(c) == std::string_view::npos) return false;
  }
  return true;
}

constexpr std::array<std::string_view, 5> kThreeCharOps = {"**=", "//=", ">>=", "<<=", "..."};
constexpr std::array<std::string_view, 19> kTwoCharOps = {
    "==", "!=", "<=", ">=", "->", ":=", "**", "//", "<<", ">>",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="};

/// Keeps `open` in step with the brackets seen; a closing one must match the innermost open one.
Status track_bracket(const Token& token, std::vector<Token>& open) {
  static constexpr std::string_view kOpening = "([{", kClosing = ")]}";
  if (token.text.size() != 1) return ok();
  if (kOpening.find(token.text[0]) != std::string_view::npos) {
    open.push_back(token);
    return ok();
  }
  size_t closing = kClosing.find(token.text[0]);
  if (closing == std::string_view::npos) return ok();
  if (open.empty()) return Error{fmt::format("unmatched '{}'", token.text), "", token.line};
  if (open.back().text[0] != kOpening[closing]) {
    return Error{fmt::format("closing '{}' does not match opening '{}' on line {}", token.text,
                             open.back().text, open.back().line),
                 "", token.line};
  }
  open.pop_back();
  return ok();
}

}  // namespace

Lexer::Lexer(std::string_view source, bool keep_comments)
    : source_(source), keep_comments_(keep_comments) {
  if (source_.starts_with("\xEF\xBB\xBF")) pos_ = 3;  // UTF-8 byte order mark
}

void Lexer::skip_blank_and_comment_lines() {
  while (pos_ < source_.size()) {
    size_t at = pos_;
    while (at < source_.size() &&
           (source_[at] == ' ' || source_[at] == '\t' || source_[at] == '\f'))
      ++at;
    if (at < source_.size() && source_[at] == '#') {
      pos_ = at;
      skip_comment();
      at = pos_;
    }
    if (at < source_.size() && source_[at] == '\r') ++at;
    if (at >= source_.size()) {
      pos_ = at;
      return;
    }
    if (source_[at] != '\n') return;
    pos_ = at + 1;
    ++line_;
  }
}

Result<const LogicalLine*> Lexer::next() {
  skip_blank_and_comment_lines();
  if (pos_ >= source_.size()) return nullptr;
  LogicalLine& logical = current_;
  logical.tokens.clear();
  logical.first_line = line_;
  logical.indented = peek() == ' ' || peek() == '\t' || peek() == '\f';
  std::vector<Token> open;  // brackets not closed yet, innermost last
  while (pos_ < source_.size()) {
    char c = peek();
    if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
      ++pos_;
    } else if (c == '#') {
      skip_comment();
    } else if (c == '\\' && (peek(1) == '\n' || (peek(1) == '\r' && peek(2) == '\n'))) {
      pos_ += peek(1) == '\n' ? 2 : 3;
      ++line_;
    } else if (c == '\n') {
      ++pos_;
      ++line_;
      if (open.empty()) break;
    } else if (c == '\'' || c == '"') {
      Result<Token> token = read_string(pos_, line_);
      if (!token) return token.error();
      logical.tokens.push_back(*token);
    } else if (is_name_start(c) || std::isdigit(static_cast<unsigned char>(c))) {
      Token token = read_name_or_number(pos_);
      if (token.kind == TokenKind::name && is_string_prefix(token.text) &&
          (peek() == '\'' || peek() == '"')) {
        Result<Token> string = read_string(pos_ - token.text.size(), token.line);
        if (!string) return string.error();
        token = *string;
      }
      logical.tokens.push_back(token);
    } else {
      Token token = read_operator(pos_);
      if (Status balanced = track_bracket(token, open); !balanced) return balanced.error();
      logical.tokens.push_back(token);
    }
  }
  if (!open.empty()) {
    return Error{fmt::format("'{}' was never closed", open.back().text), "", open.back().line};
  }
  logical.last_line = logical.tokens.empty() ? logical.first_line : logical.tokens.back().line;
  return &current_;
}

void Lexer::skip_comment() {
  size_t start = pos_;
  while (pos_ < source_.size() && peek() != '\n') ++pos_;
  if (!keep_comments_) return;
  size_t end = pos_ > start && source_[pos_ - 1] == '\r' ? pos_ - 1 : pos_;
  size_t line_start = source_.rfind('\n', start);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  std::string_view before = source_.substr(line_start, start - line_start);
  bool own_line = before.find_first_not_of(" \t\f") == std::string_view::npos;
  comments_.push_back({source_.substr(start, end - start), line_, own_line});
}

Result<Token> Lexer::read_string(size_t start, int line) {
  // pos_ is at the opening quote; start is where the prefix begins.
  char quote = peek();
  bool triple = peek(1) == quote && peek(2) == quote;
  pos_ += triple ? 3 : 1;
  while (pos_ < source_.size()) {
    char c = peek();
    if (c == '\\') {  // an escaped character, or a line continuation (\n or \r\n)
      bool crlf = peek(1) == '\r' && peek(2) == '\n';
      if (peek(1) == '\n' || crlf) ++line_;
      pos_ += crlf ? 3 : 2;
      continue;
    }
    if (c == '\n') {
      if (!triple) break;
      ++line_;
    }
    if (c == quote && (!triple || (peek(1) == quote && peek(2) == quote))) {
      pos_ += triple ? 3 : 1;
      return Token{TokenKind::string, source_.substr(start, pos_ - start), line};
    }
    ++pos_;
  }
  return Error{"unterminated string", "", line};
}

Token Lexer::read_name_or_number(size_t start) {
  // Numbers are read loosely (digits, letters, '.', '_'): their value never matters here.
  bool number = std::isdigit(static_cast<unsigned char>(peek()));
  while (pos_ < source_.size() && (is_name_char(peek()) || (number && peek() == '.'))) ++pos_;
  return Token{number ? TokenKind::number : TokenKind::name, source_.substr(start, pos_ - start),
               line_};
}

Token Lexer::read_operator(size_t start) {
  std::string_view rest = source_.substr(start);
  size_t length = 1;
  // Every operator longer than one character has one of these as its second character.
  bool may_be_longer =
      rest.size() > 1 && std::string_view("=>*/<.").find(rest[1]) != std::string_view::npos;
  if (!may_be_longer) {
    ++pos_;
    return Token{TokenKind::op, rest.substr(0, 1), line_};
  }
  for (std::string_view op : kThreeCharOps) {
    if (rest.starts_with(op)) length = 3;
  }
  if (length == 1) {
    for (std::string_view op : kTwoCharOps) {
      if (rest.starts_with(op)) length = 2;
    }
  }
  pos_ += length;
  return Token{TokenKind::op, source_.substr(start, length), line_};
}

namespace {

void append_escape(std::string_view body, size_t& i, std::string& out) {
  char c = body[i + 1];
  i += 1;
  switch (c) {
    case 'n':
      out += '\n';
      return;
    case 't':
      out += '\t';
      return;
    case 'r':
      out += '\r';
      return;
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      int value = 0;  // up to three octal digits, as Python reads them
      size_t digits = 0;
      for (; digits < 3 && i + digits < body.size() && body[i + digits] >= '0' &&
             body[i + digits] <= '7';
           ++digits) {
        value = value * 8 + (body[i + digits] - '0');
      }
      i += digits - 1;
      out += static_cast<char>(value);
      return;
    }
    case '\r':
      if (i + 1 < body.size() && body[i + 1] == '\n') ++i;
      return;  // line continuation (\r\n) inside a string
    case '\\':
    case '\'':
    case '"':
      out += c;
      return;
    case '\n':
      return;  // line continuation inside a string
    default:
      out += '\\';
      out += c;  // other escapes (\x, \u, \N) are kept as written; ids never use them
  }
}

}  // namespace

int bracket_step(const Token& token) {
  if (token.kind != TokenKind::op || token.text.size() != 1) return 0;
  char c = token.text[0];
  if (c == '(' || c == '[' || c == '{') return 1;
  if (c == ')' || c == ']' || c == '}') return -1;
  return 0;
}

size_t header_colon(std::span<const Token> tokens) {
  int depth = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    depth += bracket_step(tokens[i]);
    if (depth == 0 && tokens[i].text == ":") return i;
  }
  return tokens.size();
}

std::vector<std::span<const Token>> split_statements(std::span<const Token> tokens) {
  std::vector<std::span<const Token>> out;
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i <= tokens.size(); ++i) {
    if (i < tokens.size()) {
      depth += bracket_step(tokens[i]);
      if (!(tokens[i].text == ";" && depth == 0)) continue;
    }
    if (i > start) out.push_back(tokens.subspan(start, i - start));
    start = i + 1;
  }
  return out;
}

std::optional<std::string> string_value(std::string_view text) {
  size_t quote = text.find_first_of("'\"");
  std::string_view prefix = text.substr(0, quote);
  bool raw = false;
  for (char c : prefix) {
    char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == 'f' || lower == 'b') return std::nullopt;
    raw = raw || lower == 'r';
  }
  std::string_view body = text.substr(quote);
  size_t delimiter = body.size() >= 6 && body[1] == body[0] && body[2] == body[0] ? 3 : 1;
  body = body.substr(delimiter, body.size() - 2 * delimiter);
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\' && !raw && i + 1 < body.size()) {
      append_escape(body, i, out);
    } else {
      out += body[i];
    }
  }
  return out;
}

}  // namespace ag::python
