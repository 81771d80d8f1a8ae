#include "checks/lint/static_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <set>

#include "checks/lint/function_effect.h"
#include "util/text.h"

namespace ag::checks::lint {
namespace {

using python::Token;
using python::TokenKind;

constexpr std::array kRules = {
    RuleInfo{"missing-docstring", "lint", Severity::warning, "the migration has no docstring",
             "Alembic takes a revision's message from the first line of its docstring: `alembic "
             "history` and reviewers get nothing to go on when there is none.",
             "start the file with a docstring whose first line says what the migration does"},
    RuleInfo{"empty-message", "lint", Severity::warning,
             "the migration's message is empty or a placeholder",
             "`alembic revision` without -m writes \"empty message\" (Flask-Migrate does the "
             "same): `alembic history` then shows nothing that tells revisions apart.",
             "replace the docstring's first line with what the migration does"},
    RuleInfo{"empty-upgrade", "lint", Severity::warning, "upgrade() does nothing",
             "A revision whose upgrade is only `pass` (or a guard that returns, then `pass`) is "
             "usually a generated file nobody filled in (autogenerate found nothing); it moves the "
             "version table and changes nothing. "
             "Merge revisions are exempt.",
             "write the migration, or delete the file if it is not needed"},
    RuleInfo{"empty-downgrade", "lint", Severity::warning,
             "downgrade() does nothing although upgrade() changes something",
             "`alembic downgrade` past this revision reports success and leaves its changes in "
             "place: the version table and the schema disagree from then on.",
             "write the reverse operations, or `raise NotImplementedError(\"why\")` to make a "
             "one-way migration explicit"},
    RuleInfo{"imports-app-code", "lint", Severity::warning,
             "the migration imports the application's own code",
             "A migration must stay a frozen snapshot of the schema at its revision. Importing "
             "models or helpers from the application makes it run today's code: when those "
             "change, replaying the history on a fresh database builds a different schema, or "
             "fails to import.",
             "copy what the migration needs into it: `sa.table(\"posts\", sa.column(\"id\"))` "
             "for data changes, literal columns and types for schema changes"},
    RuleInfo{"commit-inside-migration", "lint", Severity::error,
             "the migration ends its own transaction",
             "Alembic runs a migration in a transaction and records the new version in it. A "
             "COMMIT (or ROLLBACK) in the middle ends that transaction: if a later statement "
             "fails, what ran before stays committed and the version table no longer says where "
             "the schema is.",
             "run what cannot run in a transaction (CREATE INDEX CONCURRENTLY, ALTER TYPE ... ADD "
             "VALUE) inside `with op.get_context().autocommit_block():`"},
    RuleInfo{"filename-mismatch", "lint", Severity::notice,
             "the file name does not carry the revision id",
             "The project's file_template puts the revision id in every file name; a file that "
             "does not carry its own id (renamed, or copied from another revision) is hard to "
             "find from a traceback or from `alembic history`.",
             "rename the file so that it carries the revision id, as file_template says"},
};

const RuleInfo& rule(std::string_view id) {
  return *std::find_if(kRules.begin(), kRules.end(), [&](const RuleInfo& r) { return r.id == id; });
}

/// Words that end the transaction a migration runs in, when a statement starts with them.
constexpr std::array<std::string_view, 4> kTransactionEnds = {"COMMIT", "END", "ROLLBACK", "ABORT"};

/// The dotted name starting at tokens[i] (`a.b.c`); i is left after it.
std::string dotted_name(std::span<const Token> tokens, size_t& i) {
  std::string name;
  bool want_name = true;  // names and dots alternate; leading dots make a relative import
  while (i < tokens.size()) {
    const Token& token = tokens[i];
    if (token.kind == TokenKind::name && want_name) {
      want_name = false;
    } else if (token.text == "." || token.text == "...") {
      want_name = true;
    } else {
      break;
    }
    name += token.text;
    ++i;
  }
  return name;
}

/// The absolute modules an import statement names: `import a.b as c, d` gives a.b and d,
/// `from a.b import c` gives a.b; relative imports give nothing.
std::vector<std::string> imported_modules(std::span<const Token> tokens) {
  std::vector<std::string> modules;
  size_t i = 1;
  if (tokens[0].text == "from") {
    if (std::string module = dotted_name(tokens, i); !module.starts_with(".")) {
      modules.push_back(module);
    }
    return modules;
  }
  while (i < tokens.size()) {
    modules.push_back(dotted_name(tokens, i));
    while (i < tokens.size() && tokens[i].text != ",") ++i;  // `as alias`
    ++i;
  }
  return modules;
}

/// Index of the bracket that opens the one closing at tokens[close], or tokens.size().
size_t opening_bracket(std::span<const Token> tokens, size_t close) {
  int depth = 0;
  for (size_t i = close + 1; i-- > 0;) {
    depth += python::bracket_step(tokens[i]);
    if (depth == 0) return i;
  }
  return tokens.size();
}

class StaticJudge {
 public:
  StaticJudge(const graph::RevisionScript& script, const MigrationFile& file,
              const StaticContext& context)
      : script_(script),
        file_(file),
        context_(context),
        path_(context.project.relative(script.path)) {}

  Findings judge() {
    if (!file_.complete()) return {};
    docstring();
    bodies();
    imports();
    transaction_control();
    file_name();
    return std::move(findings_);
  }

 private:
  const graph::RevisionScript& script_;
  const MigrationFile& file_;
  const StaticContext& context_;
  std::string path_;
  Findings findings_;
  std::set<std::string_view> connection_names_;  ///< Names bound to op.get_bind() and the like.

  void add(std::string_view id, std::string message, int line, int end_line, std::string help) {
    const RuleInfo& info = rule(id);
    findings_.push_back({.check = "lint",
                         .rule = std::string(id),
                         .severity = info.severity,
                         .message = std::move(message),
                         .file = path_,
                         .line = line,
                         .end_line = std::max(line, end_line),
                         .revision = script_.id(),
                         .help = std::move(help)});
  }

  void docstring() {
    if (script_.docstring_line == 0) {
      add("missing-docstring",
          "the migration has no docstring, so Alembic shows no message for it in `alembic "
          "history`",
          1, 1, "start the file with a docstring whose first line says what the migration does");
      return;
    }
    std::string message = lower(script_.message);
    if (message.empty() || message == "empty message" || message.starts_with("revision id:")) {
      add("empty-message",
          script_.message.empty() || message.starts_with("revision id:")
              ? "the migration's docstring has no message line"
              : fmt::format("the migration's message is \"{}\", the placeholder `alembic "
                            "revision` writes when -m is not given",
                            script_.message),
          script_.docstring_line, script_.docstring_line,
          "make the docstring's first line say what the migration does");
    }
  }

  void bodies() {
    if (script_.down_revision.items.size() > 1) return;  // a merge does nothing on purpose
    std::optional<Function> upgrade = file_.function("upgrade");
    std::optional<Function> downgrade = file_.function("downgrade");
    if (upgrade && effect_of(*upgrade) == Effect::nothing) {
      add("empty-upgrade",
          "upgrade() does nothing: this revision moves the version table and changes nothing",
          upgrade->line, last_line(*upgrade),
          "write the migration, or delete the file if nothing needs to change");
      return;
    }
    // An upgrade that only reads (a check before later revisions) has nothing to undo.
    if (upgrade && downgrade && effect_of(*upgrade) == Effect::changes &&
        effect_of(*downgrade) == Effect::nothing) {
      add("empty-downgrade",
          "downgrade() does nothing, so `alembic downgrade` past this revision reports success "
          "and leaves the upgrade's changes in place",
          downgrade->line, last_line(*downgrade),
          "write the reverse operations, or `raise NotImplementedError(\"why\")` to make the "
          "one-way migration explicit");
    }
  }

  static int last_line(const Function& function) {
    return function.body.empty() ? function.line : function.body.back().last_line;
  }

  void imports() {
    for (const PythonStatement& statement : file_.statements()) {
      for (std::span<const Token> tokens : python::split_statements(statement.tokens)) {
        if (tokens[0].text != "import" && tokens[0].text != "from") continue;
        for (const std::string& module : imported_modules(tokens)) {
          std::filesystem::path owner = context_.modules.resolve(module);
          if (owner.empty()) continue;
          add("imports-app-code",
              fmt::format("the migration imports {}, the application's own code ({}): when "
                          "that code changes, replaying this migration on a fresh database runs "
                          "the new code, or stops importing",
                          module, context_.project.relative(owner)),
              tokens[0].line, tokens.back().line,
              "copy what the migration needs into it (`sa.table(\"name\", sa.column(\"id\"))` "
              "for data changes, literal columns and types for schema changes) so that it stays "
              "a frozen snapshot");
        }
      }
    }
  }

  void transaction_control() {
    for (const PythonStatement& statement : file_.statements()) {
      remember_connection(statement);
      std::span<const Token> tokens(statement.tokens);
      for (size_t i = 1; i + 1 < tokens.size(); ++i) {
        if (tokens[i - 1].text != "." || tokens[i + 1].text != "(") continue;
        if (tokens[i].text == "execute" || tokens[i].text == "exec_driver_sql") {
          executed_sql(tokens, i);
        } else if (tokens[i].text == "commit" && commits(tokens, i - 1)) {
          add("commit-inside-migration",
              "the migration commits its connection: the statements before stay committed if a "
              "later one fails, and the version table no longer says where the schema is",
              tokens[i].line, tokens[i].line,
              "run what cannot run in a transaction inside `with "
              "op.get_context().autocommit_block():` instead of committing");
        }
      }
    }
  }

  /// `name = op.get_bind()` or `name = <...>.connection`: `name` is the migration's connection.
  void remember_connection(const PythonStatement& statement) {
    std::span<const Token> t(statement.tokens);
    if (t.size() < 3 || t[0].kind != TokenKind::name || t[1].text != "=") return;
    if (is_connection(t.subspan(2))) connection_names_.insert(t[0].text);
  }

  /// True when `tokens` is an expression giving the migration's connection: `op.get_bind()`,
  /// `<...>.connection`, or a name bound to one of them.
  bool is_connection(std::span<const Token> tokens) const {
    if (tokens.empty()) return false;
    const Token& last = tokens.back();
    size_t end = tokens.size();
    if (last.text == "connection" && end >= 2 && tokens[end - 2].text == ".") return true;
    if (last.kind == TokenKind::name) return end == 1 && connection_names_.contains(last.text);
    if (last.text != ")") return false;
    size_t open = opening_bracket(tokens, end - 1);
    return open > 0 && open < end && tokens[open - 1].text == "get_bind";
  }

  /// True when the receiver before the '.' at tokens[dot] is the migration's connection.
  bool commits(std::span<const Token> tokens, size_t dot) const {
    size_t start = dot;  // walks back over names, dots and bracketed calls
    int depth = 0;
    while (start > 0) {
      const Token& token = tokens[start - 1];
      int step = python::bracket_step(token);
      if (depth == 0 &&
          (step > 0 || (step == 0 && token.kind != TokenKind::name && token.text != "."))) {
        break;
      }
      depth -= step;
      --start;
    }
    return is_connection(tokens.subspan(start, dot - start));
  }

  /// `x.execute(<sql>)` at tokens[name]: <sql> a string, or a string wrapped in text(...).
  void executed_sql(std::span<const Token> tokens, size_t name) {
    size_t i = name + 2;
    size_t wrapper = i;
    std::string callee = dotted_name(tokens, wrapper);
    if (!callee.empty() && (callee == "text" || callee.ends_with(".text")) &&
        wrapper < tokens.size() && tokens[wrapper].text == "(") {
      i = wrapper + 1;
    }
    std::string sql;
    for (; i < tokens.size() && tokens[i].kind == TokenKind::string; ++i) {
      sql += python::string_value(tokens[i].text).value_or("");
    }
    std::string word = first_word(sql);
    if (std::find(kTransactionEnds.begin(), kTransactionEnds.end(), word) ==
        kTransactionEnds.end()) {
      return;
    }
    add("commit-inside-migration",
        fmt::format("`{}` ends the transaction Alembic runs this migration in: the statements "
                    "before it stay committed if a later one fails, and the version table no "
                    "longer says where the schema is",
                    word),
        tokens[name].line, tokens[name].line,
        "run what cannot run in a transaction inside `with "
        "op.get_context().autocommit_block():` instead");
  }

  void file_name() {
    const std::string& id = script_.id();
    const std::string& pattern = context_.project.file_template;
    if (id.empty() || pattern.find("%(rev)s") == std::string::npos) return;
    std::string stem = script_.path.stem().string();
    if (stem.find(id) != std::string::npos) return;
    add("filename-mismatch",
        fmt::format("the file name {} does not carry the revision id {}, though the project's "
                    "file_template ({}) puts it there",
                    script_.path.filename().string(), id, pattern),
        script_.revision.line, script_.revision.end_line,
        fmt::format("rename the file so that it carries {} where file_template puts it (or check "
                    "that the file declares the revision it should)",
                    id));
  }
};

}  // namespace

Findings static_findings(const graph::RevisionScript& script, const MigrationFile& file,
                         const StaticContext& context) {
  return StaticJudge(script, file, context).judge();
}

std::span<const RuleInfo> static_rules() {
  return kRules;
}

}  // namespace ag::checks::lint
