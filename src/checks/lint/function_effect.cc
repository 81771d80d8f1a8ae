#include "checks/lint/function_effect.h"

#include <algorithm>
#include <cctype>
#include <span>
#include <string>

#include "util/text.h"

namespace ag::checks::lint {
namespace {

using python::Token;
using python::TokenKind;

/// Calls that only read: the connection and context, SQL text and constructs, a result's rows,
/// the inspector, and Python's own helpers.
constexpr std::string_view kReadingCalls[] = {"get_bind",
                                              "get_context",
                                              "text",
                                              "select",
                                              "table",
                                              "column",
                                              "literal_column",
                                              "bindparam",
                                              "func",
                                              "inspect",
                                              "scalar",
                                              "scalar_one",
                                              "scalar_one_or_none",
                                              "scalars",
                                              "fetchall",
                                              "fetchone",
                                              "fetchmany",
                                              "first",
                                              "one",
                                              "one_or_none",
                                              "all",
                                              "mappings",
                                              "keys",
                                              "has_table",
                                              "get_table_names",
                                              "get_columns",
                                              "get_indexes",
                                              "get_foreign_keys",
                                              "get_unique_constraints",
                                              "get_check_constraints",
                                              "get_pk_constraint",
                                              "is_offline_mode",
                                              "len",
                                              "print",
                                              "str",
                                              "int",
                                              "bool",
                                              "sorted",
                                              "debug",
                                              "info",
                                              "warning",
                                              "getLogger"};

/// Words a read-only statement's SQL starts with.
constexpr std::string_view kReadingSql[] = {"SELECT", "WITH", "SHOW", "EXPLAIN"};

/// Functions a query may call and still only read; any other (setval(), create_hypertable(),
/// a function of the project's) may change something.
constexpr std::string_view kReadingFunctions[] = {"count",
                                                  "sum",
                                                  "min",
                                                  "max",
                                                  "avg",
                                                  "exists",
                                                  "coalesce",
                                                  "lower",
                                                  "upper",
                                                  "length",
                                                  "array_agg",
                                                  "string_agg",
                                                  "now",
                                                  "current_setting",
                                                  "bool_or",
                                                  "bool_and",
                                                  "nullif",
                                                  "greatest",
                                                  "least",
                                                  "to_regclass",
                                                  "has_table_privilege"};

/// Words that make a query write (a data-modifying WITH, SELECT ... INTO, FOR UPDATE).
constexpr std::string_view kWritingWords[] = {"INSERT", "UPDATE", "DELETE", "MERGE", "INTO"};

bool listed(std::span<const std::string_view> list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

/// Whether `sql` only reads: it starts with SELECT (or WITH, SHOW, EXPLAIN), writes nothing and
/// calls only functions that read.
bool reading_sql(std::string_view sql) {
  if (!listed(kReadingSql, first_word(sql))) return false;
  std::string word;
  for (size_t i = 0; i <= sql.size(); ++i) {
    char c = i < sql.size() ? sql[i] : ' ';
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      word += c;
      continue;
    }
    if (word.empty()) continue;
    std::string capitals = upper(word);
    if (listed(kWritingWords, capitals)) return false;
    size_t next = sql.find_first_not_of(" \t\r\n", i);
    bool call = next != std::string_view::npos && sql[next] == '(';
    if (call && !listed(kReadingFunctions, lower(word)) && !listed(kReadingSql, capitals))
      return false;
    word.clear();
  }
  return true;
}

/// Whether the call to execute() whose '(' is tokens[open] runs a query: its argument a string,
/// or text("..."), starting with SELECT (or WITH, SHOW, EXPLAIN), or a select() construct.
bool executes_a_query(std::span<const Token> tokens, size_t open) {
  size_t i = open + 1;
  while (i + 1 < tokens.size() && tokens[i].kind == TokenKind::name && tokens[i + 1].text == ".")
    i += 2;  // sa.text( ... ) or sa.select( ... )
  if (i < tokens.size() && tokens[i].text == "select") return true;
  if (i + 1 < tokens.size() && tokens[i].text == "text" && tokens[i + 1].text == "(") i += 2;
  if (i >= tokens.size() || tokens[i].kind != TokenKind::string) return false;
  return reading_sql(python::string_value(tokens[i].text).value_or(""));
}

/// What the calls among `tokens` do: nothing without a call, reads when every call reads.
Effect calls_effect(std::span<const Token> tokens) {
  Effect effect = Effect::nothing;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (tokens[i].kind != TokenKind::name || tokens[i + 1].text != "(") continue;
    std::string_view callee = tokens[i].text;
    bool reads = callee == "execute" || callee == "exec_driver_sql"
                     ? executes_a_query(tokens, i + 1)
                     : listed(kReadingCalls, callee);
    if (!reads) return Effect::changes;
    effect = Effect::reads;
  }
  return effect;
}

Effect simple_statement_effect(std::span<const Token> tokens) {
  std::string_view first = tokens.front().text;
  bool harmless = std::all_of(tokens.begin(), tokens.end(), [](const Token& token) {
    return token.text == "pass" || token.text == "..." || token.text == ";" ||
           token.kind == TokenKind::string;
  });
  if (harmless || first == "import" || first == "from" || first == "global" || first == "nonlocal")
    return Effect::nothing;
  if (first == "return") return tokens.size() == 1 ? Effect::nothing : calls_effect(tokens);
  if (first == "assert" || first == "raise") return Effect::reads;  // a check, or a refusal
  return calls_effect(tokens);
}

/// A block header's own effect is its body's on the same line, if any: a condition is only
/// tested (`if skip(): return` does nothing), a `with` block's context is no change itself.
Effect statement_effect(std::span<const Token> tokens) {
  static constexpr std::string_view kHeaders[] = {"if",  "elif",   "else",    "while", "for",
                                                  "try", "except", "finally", "with"};
  if (!listed(kHeaders, tokens.front().text)) return simple_statement_effect(tokens);
  size_t colon = python::header_colon(tokens);
  if (colon + 1 >= tokens.size()) return Effect::nothing;
  return simple_statement_effect(tokens.subspan(colon + 1));
}

}  // namespace

Effect effect_of(const Function& function) {
  Effect effect = Effect::nothing;
  for (const PythonStatement& statement : function.body) {
    for (std::span<const Token> tokens : python::split_statements(statement.tokens))
      effect = std::max(effect, statement_effect(tokens));
  }
  return effect;
}

}  // namespace ag::checks::lint
