#include "checks/lint/migration_file.h"

#include <algorithm>

#include "util/file.h"

namespace ag::checks::lint {
namespace {

using python::Token;

}  // namespace

MigrationFile::MigrationFile(std::string source) : source_(std::move(source)) {
  python::Lexer lexer(source_, /*keep_comments=*/true);
  while (true) {
    Result<const python::LogicalLine*> line = lexer.next();
    if (!line) {
      complete_ = false;
      break;
    }
    if (*line == nullptr) break;
    if (!(*line)->tokens.empty()) add(**line);
  }
  comments_ = lexer.comments();
}

Result<std::unique_ptr<MigrationFile>> MigrationFile::read(const std::filesystem::path& path) {
  Result<std::string> source = read_file(path);
  if (!source) return source.error();
  return std::make_unique<MigrationFile>(std::move(*source));
}

int MigrationFile::column_of(const Token& token) const {
  size_t offset = static_cast<size_t>(token.text.data() - source_.data());
  size_t newline = source_.rfind('\n', offset);  // the token itself is no newline
  return static_cast<int>(newline == std::string::npos ? offset : offset - newline - 1);
}

void MigrationFile::add(const python::LogicalLine& line) {
  PythonStatement statement{line.tokens, line.first_line, line.last_line, line.indented,
                            column_of(line.tokens.front())};
  size_t colon = statement.tokens.front().text == "def" ? python::header_colon(statement.tokens)
                                                        : statement.tokens.size();
  if (colon + 1 >= statement.tokens.size()) {
    statements_.push_back(std::move(statement));
    return;
  }
  PythonStatement body{
      {statement.tokens.begin() + static_cast<long>(colon) + 1, statement.tokens.end()},
      0,
      statement.last_line,
      true};
  body.first_line = body.tokens.front().line;
  body.indent = column_of(body.tokens.front());
  statement.tokens.resize(colon + 1);
  statement.last_line = statement.tokens.back().line;
  statements_.push_back(std::move(statement));
  statements_.push_back(std::move(body));
}

std::optional<Function> MigrationFile::function(std::string_view name) const {
  for (size_t i = statements_.size(); i-- > 0;) {  // the last definition is the one Python keeps
    const PythonStatement& header = statements_[i];
    if (header.indented || header.tokens.size() < 2 || header.tokens[0].text != "def" ||
        header.tokens[1].text != name) {
      continue;
    }
    size_t end = i + 1;
    while (end < statements_.size() && statements_[end].indented) ++end;
    return Function{header.tokens[1].text, header.first_line,
                    std::span(statements_).subspan(i + 1, end - i - 1)};
  }
  return std::nullopt;
}

const PythonStatement* MigrationFile::statement_at(int line) const {
  auto it = std::find_if(statements_.begin(), statements_.end(), [&](const PythonStatement& s) {
    return s.first_line <= line && line <= s.last_line;
  });
  return it == statements_.end() ? nullptr : &*it;
}

int MigrationFile::call_column(int line) const {
  const PythonStatement* statement = statement_at(line);
  if (statement == nullptr) return 0;
  const std::vector<Token>& tokens = statement->tokens;
  const Token* first = nullptr;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].line != line) continue;
    if (first == nullptr) first = &tokens[i];
    bool call = i + 3 < tokens.size() && tokens[i].kind == python::TokenKind::name &&
                tokens[i + 1].text == "." && tokens[i + 3].text == "(";
    if (call) return column_of(tokens[i]) + 1;
  }
  return first == nullptr ? 0 : column_of(*first) + 1;
}

std::optional<std::string> MigrationFile::keyword_string(int line, std::string_view keyword) const {
  const PythonStatement* statement = statement_at(line);
  if (statement == nullptr) return std::nullopt;
  const std::vector<Token>& tokens = statement->tokens;
  for (size_t i = 0; i + 2 < tokens.size(); ++i) {
    if (tokens[i].text == keyword && tokens[i + 1].text == "=" &&
        tokens[i + 2].kind == python::TokenKind::string)
      return python::string_value(tokens[i + 2].text);
  }
  return std::nullopt;
}

std::vector<const PythonStatement*> MigrationFile::enclosing_blocks(
    const PythonStatement& statement) const {
  std::vector<const PythonStatement*> headers;
  int indent = statement.indent;
  // Walking up, the first statement indented less than everything since is a block's header.
  for (size_t i = static_cast<size_t>(&statement - statements_.data()); i-- > 0 && indent > 0;) {
    if (statements_[i].indent >= indent) continue;
    headers.push_back(&statements_[i]);
    indent = statements_[i].indent;
  }
  return headers;
}

}  // namespace ag::checks::lint
