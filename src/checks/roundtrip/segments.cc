#include "checks/roundtrip/segments.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <string_view>

#include "python/lexer.h"
#include "util/file.h"
#include "util/text.h"

namespace ag::checks::roundtrip {
namespace {

/// A judged revision's cost in plain upgrades of it (see split()).
constexpr double kJudgedCost = 4.0;

/// Statements that act beyond the scratch database, lower case, as whole words (white space
/// folded to one space) in the code's strings. Advisory locks are not among them: their keys
/// belong to one database.
constexpr std::array<std::string_view, 14> kClusterStatements = {
    "create role",     "drop role",       "alter role",    "create user", "drop user",
    "alter user",      "create group",    "drop group",    "alter group", "create tablespace",
    "drop tablespace", "create database", "drop database", "alter system"};

/// What a statement above may be followed by and still be of one database (CREATE USER
/// MAPPING).
constexpr std::string_view kDatabaseObject = " mapping";

/// Functions that do, found inside longer names too.
constexpr std::array<std::string_view, 2> kClusterFunctions = {"pg_terminate_backend", "dblink"};

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

/// Whether `word` stands in `text` with no letter, digit or _ right before or after it, and is
/// not a statement on a database's own object.
bool contains_word(std::string_view text, std::string_view word) {
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    size_t after = at + word.size();
    if ((at == 0 || !is_word_char(text[at - 1])) &&
        (after == text.size() || !is_word_char(text[after])) &&
        !text.substr(after).starts_with(kDatabaseObject))
      return true;
  }
  return false;
}

/// Whether the statement is a lone string: a docstring, where words are prose.
bool is_docstring(std::span<const python::Token> statement) {
  return std::all_of(statement.begin(), statement.end(), [](const python::Token& token) {
    return token.kind == python::TokenKind::string;
  });
}

/// The file's code as words to search: its strings' values (SQL) and names (func.pg_...), not
/// its comments and docstrings; the whole text when it cannot be read as Python.
std::string code_words(std::string_view source) {
  python::Lexer lexer(source);
  std::string words;
  for (;;) {
    Result<const python::LogicalLine*> line = lexer.next();
    if (!line) return std::string(source);
    if (*line == nullptr) return words;
    for (std::span<const python::Token> statement : python::split_statements((*line)->tokens)) {
      if (is_docstring(statement)) continue;
      for (const python::Token& token : statement) {
        if (token.kind == python::TokenKind::name) words += std::string(token.text) + " ";
        if (token.kind != python::TokenKind::string) continue;
        std::optional<std::string> value = python::string_value(token.text);
        words += (value ? *value : std::string(token.text)) + " ";
      }
    }
  }
}

std::optional<std::string_view> cluster_phrase(const std::filesystem::path& path) {
  Result<std::string> read = read_file(path);
  if (!read) return std::nullopt;  // Alembic reports an unreadable file itself
  std::string text = collapse_whitespace(lower(code_words(*read)));
  for (std::string_view statement : kClusterStatements)
    if (contains_word(text, statement)) return statement;
  for (std::string_view function : kClusterFunctions)
    if (text.find(function) != std::string::npos) return function;
  return std::nullopt;
}

}  // namespace

size_t segment_count(size_t revisions, int jobs, unsigned cores) {
  size_t wanted = jobs > 0 ? std::min(static_cast<size_t>(jobs), kMaximumJobs)
                  : revisions < kAutoMinimumRevisions
                      ? 1
                      : std::min<size_t>(std::max(cores, 1U), kMaximumAutoJobs);
  return std::max<size_t>(1, std::min(wanted, revisions));
}

std::vector<Segment> split(size_t revisions, size_t count) {
  // Segment j starts after the revisions before it, which it upgrades plainly (cost 1 each),
  // and judges its own (kJudgedCost each); all end at T when start(j) = T (1 - q^j), q = 1 -
  // 1/kJudgedCost, and start(count) = revisions.
  if (revisions == 0) return {Segment{}};  // env.py still runs
  const double q = 1.0 - 1.0 / kJudgedCost;
  const double total = 1.0 - std::pow(q, static_cast<double>(count));
  std::vector<Segment> segments;
  size_t begin = 0;
  for (size_t j = 1; j <= count; ++j) {
    double share = (1.0 - std::pow(q, static_cast<double>(j))) / total;
    size_t end = j == count ? revisions
                            : std::min(revisions, static_cast<size_t>(std::lround(
                                                      share * static_cast<double>(revisions))));
    if (end > begin) segments.push_back({begin, end});
    begin = std::max(begin, end);
  }
  return segments;
}

std::optional<std::string> shared_by_databases(const project::Project& project) {
  std::vector<std::filesystem::path> files = {project.script_location / "env.py"};
  files.insert(files.end(), project.revision_files.begin(), project.revision_files.end());
  for (const std::filesystem::path& file : files) {
    if (std::optional<std::string_view> phrase = cluster_phrase(file))
      return project.relative(file) + ": " + std::string(*phrase);
  }
  return std::nullopt;
}

}  // namespace ag::checks::roundtrip
