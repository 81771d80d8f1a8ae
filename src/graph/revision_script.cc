#include "graph/revision_script.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <span>

#include "python/lexer.h"
#include "util/file.h"
#include "util/text.h"

namespace ag::graph {
namespace {

using python::LogicalLine;
using python::Token;
using python::TokenKind;

/// A literal value: None, strings (implicitly concatenated), or a flat tuple/list of strings.
struct Literal {
  std::vector<std::string> items;
  bool is_sequence = false;
};

class LiteralParser {
 public:
  explicit LiteralParser(std::span<const Token> tokens) : tokens_(tokens) {}

  /// The literal, or nullopt when the tokens are anything else (a computed value).
  std::optional<Literal> parse() {
    std::optional<Literal> literal = value();
    if (!literal || pos_ != tokens_.size()) return std::nullopt;
    return literal;
  }

 private:
  std::span<const Token> tokens_;
  size_t pos_ = 0;

  bool at(std::string_view text) const {
    return pos_ < tokens_.size() && tokens_[pos_].text == text;
  }
  bool at_string() const {
    return pos_ < tokens_.size() && tokens_[pos_].kind == TokenKind::string;
  }

  std::optional<std::string> strings() {
    std::string joined;
    bool any = false;
    while (at_string()) {
      std::optional<std::string> part = python::string_value(tokens_[pos_++].text);
      if (!part) return std::nullopt;
      joined += *part;
      any = true;
    }
    if (!any) return std::nullopt;
    return joined;
  }

  std::optional<Literal> value() {
    if (at("None")) {
      ++pos_;
      return Literal{};
    }
    if (at_string()) {
      std::optional<std::string> text = strings();
      if (!text) return std::nullopt;
      return text->empty() ? Literal{} : Literal{{*text}, false};
    }
    if (at("(") || at("[")) return bracketed();
    return std::nullopt;
  }

  std::optional<Literal> bracketed() {
    std::string_view close = at("(") ? ")" : "]";
    bool list = close == "]";
    ++pos_;
    Literal literal{{}, true};
    bool saw_comma = false;
    while (!at(close)) {
      std::optional<std::string> item = strings();
      if (!item) return std::nullopt;
      literal.items.push_back(*item);
      if (at(",")) {
        ++pos_;
        saw_comma = true;
      } else if (!at(close)) {
        return std::nullopt;
      }
    }
    ++pos_;
    if (!list && !saw_comma && literal.items.size() == 1) {  // ("abc") is a string, not a tuple
      return literal.items.front().empty() ? Literal{} : Literal{literal.items, false};
    }
    return literal;
  }
};

Declaration* declaration_for(RevisionScript& script, std::string_view name) {
  if (name == "revision") return &script.revision;
  if (name == "down_revision") return &script.down_revision;
  if (name == "branch_labels") return &script.branch_labels;
  if (name == "depends_on") return &script.depends_on;
  return nullptr;
}

/// Index of the first top-level '=' (after an optional annotation), or 0 when there is none.
size_t assignment_operator(std::span<const Token> tokens) {
  int depth = 0;
  for (size_t i = 1; i < tokens.size(); ++i) {
    depth += python::bracket_step(tokens[i]);
    if (depth == 0 && tokens[i].kind == TokenKind::op && tokens[i].text == "=") return i;
  }
  return 0;
}

std::string first_line_of(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_first_of("\r\n", begin);
  std::string_view line =
      text.substr(begin, end == std::string_view::npos ? text.npos : end - begin);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return std::string(line);
}

class ScriptReader {
 public:
  explicit ScriptReader(RevisionScript& script) : script_(script) {}

  void statement(std::span<const Token> tokens, const LogicalLine& line, bool first) {
    if (first && tokens.size() == 1 && tokens[0].kind == TokenKind::string) {
      if (std::optional<std::string> doc = python::string_value(tokens[0].text)) {
        script_.message = first_line_of(*doc);
        script_.docstring_line = tokens[0].line;
      }
      return;
    }
    if (tokens.size() >= 2 && tokens[0].text == "def") {
      if (tokens[1].text == "upgrade") script_.upgrade_line = tokens[0].line;
      if (tokens[1].text == "downgrade") script_.downgrade_line = tokens[0].line;
      return;
    }
    if (tokens[0].kind != TokenKind::name) return;
    if (tokens.size() > 1 && tokens[1].text == ",") {
      unpacking(tokens, line);
      return;
    }
    Declaration* declaration = declaration_for(script_, tokens[0].text);
    if (declaration == nullptr) return;
    assign(*declaration, tokens, line);
  }

 private:
  RevisionScript& script_;

  /// `revision, down_revision = "a", None`: Alembic reads it, this reader does not guess.
  void unpacking(std::span<const Token> tokens, const LogicalLine& line) {
    size_t equals = assignment_operator(tokens);
    for (size_t i = 0; i < equals; ++i) {
      Declaration* declaration = declaration_for(script_, tokens[i].text);
      if (declaration == nullptr || tokens[i].kind != TokenKind::name) continue;
      *declaration = Declaration{true, false, {}, false, line.first_line, line.last_line};
      script_.problems.push_back(
          {"unreadable-value",
           fmt::format("{} is assigned by unpacking several names at once; write `{} = ...` on a "
                       "line of its own, as Alembic's template does",
                       tokens[i].text, tokens[i].text),
           line.first_line, line.last_line});
    }
  }

  void assign(Declaration& declaration, std::span<const Token> tokens, const LogicalLine& line) {
    static constexpr std::array<std::string_view, 13> kAugmented = {
        "+=", "-=", "*=", "/=", "//=", "%=", "**=", ">>=", "<<=", "&=", "|=", "^=", "@="};
    std::string_view name = tokens[0].text;
    std::string_view second = tokens.size() > 1 ? tokens[1].text : "";
    bool augmented = std::find(kAugmented.begin(), kAugmented.end(), second) != kAugmented.end();
    size_t equals = assignment_operator(tokens);
    bool assigned = equals == 1 || (equals > 1 && second == ":");
    if (!assigned && !augmented) return;  // a bare annotation, or an expression using the name
    declaration = Declaration{true, false, {}, false, line.first_line, line.last_line};
    std::optional<Literal> literal;
    if (!augmented) literal = LiteralParser(tokens.subspan(equals + 1)).parse();
    if (!literal) {
      script_.problems.push_back(
          {"unreadable-value",
           fmt::format("{} is computed and cannot be read without running the file; write it as a "
                       "literal (a string, None, or a tuple of strings) as Alembic's template does",
                       name),
           line.first_line, line.last_line});
      return;
    }
    declaration.readable = true;
    declaration.items = std::move(literal->items);
    declaration.is_sequence = literal->is_sequence;
  }
};

/// Python reads source as UTF-8 unless a coding declaration (PEP 263: a comment matching
/// `coding[:=]\s*([-\w.]+)`) in the first two lines names another encoding.
bool declares_other_encoding(std::string_view source) {
  size_t start = 0;
  for (int i = 0; i < 2 && start < source.size(); ++i) {
    size_t end = std::min(source.find('\n', start), source.size());
    std::string_view line = source.substr(start, end - start);
    start = end + 1;
    size_t hash = line.find_first_not_of(" \t\f\r");
    if (hash == std::string_view::npos) continue;  // a blank first line: look at the second
    if (line[hash] != '#') return false;           // code: Python stops looking here
    size_t at = line.find("coding", hash);
    if (at == std::string_view::npos || at + 6 >= line.size() ||
        (line[at + 6] != ':' && line[at + 6] != '=')) {
      continue;
    }
    std::string name;
    for (char c : line.substr(at + 7)) {
      if (name.empty() && (c == ' ' || c == '\t')) continue;
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') break;
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::replace(name.begin(), name.end(), '_', '-');
    return !name.empty() && name != "utf-8" && name != "utf8" && !name.starts_with("utf-8-");
  }
  return false;
}

/// Reports the first byte of `token` that is not UTF-8. Comments are never checked: Alembic
/// imports revision files from bytes, and Python does not decode comments then.
bool report_invalid_utf8(const Token& token, RevisionScript& script) {
  size_t bad = first_invalid_utf8(token.text);
  if (bad == std::string_view::npos) return false;
  int line =
      token.line + static_cast<int>(std::count(token.text.begin(),
                                               token.text.begin() + static_cast<long>(bad), '\n'));
  script.problems.push_back(
      {"invalid-encoding",
       fmt::format("byte 0x{:02X} on line {} is not valid UTF-8 and the file declares no other "
                   "encoding, so Python cannot import it; save the file as UTF-8",
                   static_cast<unsigned char>(token.text[bad]), line),
       line, line});
  return true;
}

}  // namespace

const std::string& RevisionScript::id() const {
  static const std::string none;
  return revision.readable && revision.items.size() == 1 ? revision.items.front() : none;
}

RevisionScript read_revision_script(std::string_view source, std::filesystem::path path) {
  RevisionScript script;
  script.path = std::move(path);
  bool check_utf8 = !declares_other_encoding(source);
  ScriptReader reader(script);
  python::Lexer lexer(source);
  bool first = true;
  while (true) {
    Result<const LogicalLine*> line = lexer.next();
    if (!line) {
      int at = line.error().line;
      script.problems.push_back(
          {"syntax-error", fmt::format("Python cannot parse this file: {}", line.error().message),
           at, at});
      break;
    }
    if (!*line) break;
    for (const Token& token : (*line)->tokens) {
      if (check_utf8 && report_invalid_utf8(token, script)) check_utf8 = false;
    }
    if (!(*line)->indented && !(*line)->tokens.empty()) {
      for (std::span<const Token> statement : python::split_statements((*line)->tokens)) {
        reader.statement(statement, **line, first);
        first = false;
      }
    }
    first = false;
  }
  return script;
}

}  // namespace ag::graph

namespace ag::graph {

std::vector<RevisionScript> read_revision_scripts(const std::vector<std::filesystem::path>& paths) {
  std::vector<RevisionScript> scripts;
  scripts.reserve(paths.size());
  for (const std::filesystem::path& path : paths) {
    Result<std::string> source = read_file(path);
    if (source) {
      scripts.push_back(read_revision_script(*source, path));
    } else {
      RevisionScript script;
      script.path = path;
      script.problems.push_back({"unreadable-file", source.error().message, 0, 0});
      scripts.push_back(std::move(script));
    }
  }
  return scripts;
}

}  // namespace ag::graph
