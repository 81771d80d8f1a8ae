// A migration file as the static lint rules and the ignore comments see it: its statements with
// their tokens and lines, the bodies of its module-level functions, and its comments.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "python/lexer.h"
#include "util/result.h"

namespace ag::checks::lint {

/// One logical line. A one-line `def f(): body` is split in two: the header (not indented) and
/// its body (indented), so that bodies look alike however they are written.
struct PythonStatement {
  std::vector<python::Token> tokens;  ///< Never empty; views into the file's source.
  int first_line = 0;
  int last_line = 0;
  bool indented = false;
  int indent = 0;  ///< The column of its first token (0 at module level).
};

/// A function defined at module level.
struct Function {
  std::string_view name;
  int line = 0;  ///< Of `def`.
  std::span<const PythonStatement>
      body;  ///< The indented statements up to the next module-level one.
};

class MigrationFile {
 public:
  /// Lexes `source`. Never fails: after a lexer error (a syntax error the heads check reports)
  /// the file holds what was read before it and complete() is false.
  explicit MigrationFile(std::string source);
  /// Reads and lexes the file at `path`.
  static Result<std::unique_ptr<MigrationFile>> read(const std::filesystem::path& path);

  // Tokens point into the owned source: the object stays where it was made.
  MigrationFile(const MigrationFile&) = delete;
  MigrationFile& operator=(const MigrationFile&) = delete;

  const std::vector<PythonStatement>& statements() const { return statements_; }
  const std::vector<python::Comment>& comments() const { return comments_; }
  bool complete() const { return complete_; }

  /// The module-level function `name` (its last definition, as Python keeps), or nullopt.
  std::optional<Function> function(std::string_view name) const;

  /// The statement whose lines include `line`, or nullptr.
  const PythonStatement* statement_at(int line) const;

  /// The 1-based column of the call at `line`: the receiver of the first `name.call(` starting on
  /// that line (`op.`, `batch_op.`), else the first token on it; 0 when no statement covers it.
  int call_column(int line) const;

  /// The plain string passed as `keyword=` in the statement at `line` (table_name="t" of an
  /// op.drop_index call), or nullopt.
  std::optional<std::string> keyword_string(int line, std::string_view keyword) const;

  /// The headers of the blocks `statement` stands in (`def ...:`, `with ...:`), innermost
  /// first. Contract: `statement` is one of statements().
  std::vector<const PythonStatement*> enclosing_blocks(const PythonStatement& statement) const;

 private:
  std::string source_;
  std::vector<PythonStatement> statements_;
  std::vector<python::Comment> comments_;
  bool complete_ = true;

  void add(const python::LogicalLine& line);
  /// The column `token` (a view into source_) starts at on its line.
  int column_of(const python::Token& token) const;
};

}  // namespace ag::checks::lint
