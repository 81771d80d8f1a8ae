#include "checks/lint/sql_tree.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "checks/lint/function_volatility.h"
#include "checks/lint/sql_parse.h"
#include "util/text.h"

namespace ag::checks::lint {
namespace {

/// PostgreSQL's internal type names as SQL usually spells them.
std::string_view sql_spelling(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kSpellings = {{
      {"int2", "smallint"},
      {"int4", "integer"},
      {"int8", "bigint"},
      {"bool", "boolean"},
      {"bpchar", "char"},
      {"float4", "real"},
      {"float8", "double precision"},
      {"timestamptz", "timestamptz"},
  }};
  for (const auto& [internal, spelled] : kSpellings)
    if (internal == name) return spelled;
  return name;
}

const Node kEmptyList = Node::array();
const Node kEmptyObject = Node::object();

/// How volatile a FuncCall's function is; nullopt when unknown (function_volatility).
std::optional<Volatility> call_volatility(const Node& call) {
  const Node& parts = items(call, "funcname");
  std::string schema = parts.size() > 1 ? string_value(parts[parts.size() - 2]) : "";
  return function_volatility(schema, last_name(parts));
}

/// A name part as SQL writes it: quoted unless it reads the same unquoted (lower case letters,
/// digits, _ and $, not starting with a digit or $).
std::string written_part(const std::string& part) {
  bool plain =
      !part.empty() && (std::islower(static_cast<unsigned char>(part[0])) || part[0] == '_');
  for (char c : part)
    plain = plain && (std::islower(static_cast<unsigned char>(c)) ||
                      std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '$');
  if (plain) return part;
  std::string quoted = "\"";
  for (char c : part) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

/// A FuncCall as a message shows it: its name as written, qualifier included: app.new_token().
std::string written_call(const Node& call) {
  std::vector<std::string> parts;
  for (const Node& part : items(call, "funcname"))
    parts.push_back(written_part(string_value(part)));
  return fmt::format("{}()", fmt::join(parts, "."));
}

/// The calls in `node` (depth first) that make it volatile: the first volatile function in
/// `known`, the first function of unknown volatility in `unknown`.
void volatile_calls(const Node& node, std::optional<std::string>& known,
                    std::optional<std::string>& unknown) {
  if (node.is_array()) {
    for (const Node& item : node) volatile_calls(item, known, unknown);
    return;
  }
  if (!node.is_object()) return;
  for (const auto& [key, value] : node.items()) {
    if (key == "FuncCall") {
      std::optional<Volatility> volatility = call_volatility(value);
      if (volatility == Volatility::volatile_ && !known) known = written_call(value);
      if (!volatility && !unknown) unknown = written_call(value);
    }
    volatile_calls(value, known, unknown);
  }
}

/// The smallest "location" in `node` (the offset of its first token), or -1 when it has none.
long first_location(const Node& node) {
  long first = -1;
  auto take = [&first](long location) {
    if (location >= 0 && (first < 0 || location < first)) first = location;
  };
  if (node.is_array()) {
    for (const Node& item : node) take(first_location(item));
  } else if (node.is_object()) {
    for (const auto& [key, value] : node.items())
      take(key == "location" && value.is_number_integer() ? value.get<long>()
                                                          : first_location(value));
  }
  return first;
}

/// The expression that starts at `start` of `statement`: the shortest text from there to a comma
/// (the next command) or the end that PostgreSQL's parser reads whole (a comma inside brackets
/// or quotes leaves it unbalanced); "" when there is none.
std::string expression_from(std::string_view statement, size_t start) {
  for (size_t end = start; end <= statement.size(); ++end) {
    if (end < statement.size() && statement[end] != ',') continue;
    std::string candidate(trim(statement.substr(start, end - start)));
    if (candidate.empty()) continue;  // "SELECT" alone parses
    Result<std::vector<ParsedStatement>> parsed = parse_sql("SELECT " + candidate);
    if (parsed && parsed->size() == 1) return candidate;
  }
  return "";
}

/// numeric's (precision, scale); scale 0 when only the precision is given.
std::pair<int, int> precision_and_scale(const TypeRef& type) {
  return {type.modifiers.at(0), type.modifiers.size() > 1 ? type.modifiers[1] : 0};
}

}  // namespace

std::string TableName::key() const {
  return schema.empty() || schema == "public" ? name : schema + "." + name;
}

std::string TableName::display() const {
  return schema.empty() ? name : schema + "." + name;
}

TableName table_name(const Node& range_var) {
  return {text(range_var, "schemaname"), text(range_var, "relname")};
}

TableName listed_name(const Node& list) {
  const Node& parts = items(child(list, "List"), "items");
  if (parts.size() >= 2) return {string_value(parts[parts.size() - 2]), string_value(parts.back())};
  return {"", last_name(parts)};
}

std::string not_null_test_column(const Node& expression) {
  const Node& test = child(expression, "NullTest");
  if (text(test, "nulltesttype") != "IS_NOT_NULL") return "";
  const Node& fields = items(child(child(test, "arg"), "ColumnRef"), "fields");
  return fields.size() == 1 ? string_value(fields[0]) : "";
}

std::string string_value(const Node& node) {
  if (!node.is_object() || !node.contains("String")) return "";
  return text(node["String"], "sval");
}

std::string last_name(const Node& names) {
  return names.is_array() && !names.empty() ? string_value(names.back()) : "";
}

std::vector<std::string> string_values(const Node& list) {
  std::vector<std::string> out;
  for (const Node& item : list) out.push_back(string_value(item));
  return out;
}

std::string text(const Node& node, const char* key) {
  if (!node.is_object()) return "";
  auto found = node.find(key);
  return found != node.end() && found->is_string() ? found->get<std::string>() : "";
}

bool flag(const Node& node, const char* key) {
  if (!node.is_object()) return false;
  auto found = node.find(key);
  return found != node.end() && found->is_boolean() && found->get<bool>();
}

bool has_option(const Node& node, const char* key, std::string_view name) {
  const Node& options = items(node, key);
  return std::any_of(options.begin(), options.end(), [&](const Node& option) {
    return text(child(option, "DefElem"), "defname") == name;
  });
}

std::string kind_of(const Node& node) {
  return node.is_object() && node.size() == 1 ? node.begin().key() : "";
}

const Node& child(const Node& node, const char* key) {
  if (!node.is_object()) return kEmptyObject;
  auto found = node.find(key);
  return found != node.end() ? *found : kEmptyObject;
}

const Node& items(const Node& node, const char* key) {
  if (!node.is_object()) return kEmptyList;
  auto found = node.find(key);
  return found != node.end() && found->is_array() ? *found : kEmptyList;
}

std::string TypeRef::display() const {
  std::string out(sql_spelling(name));
  if (!modifiers.empty()) out += fmt::format("({})", fmt::join(modifiers, ", "));
  return array ? out + "[]" : out;
}

TypeRef type_of(const Node& type_name) {
  TypeRef type{last_name(items(type_name, "names")), {}, !items(type_name, "arrayBounds").empty()};
  for (const Node& modifier : items(type_name, "typmods")) {
    // {"A_Const": {"ival": {"ival": 20}}}; libpg_query leaves out a zero: {"ival": {}}.
    const Node& constant = child(modifier, "A_Const");
    if (constant.contains("ival")) type.modifiers.push_back(constant["ival"].value("ival", 0));
  }
  return type;
}

bool binary_coercible(const TypeRef& before, const TypeRef& after) {
  if (before == after) return true;
  if (before.array != after.array) return false;
  if (before.name == "varchar" && after.name == "text") return true;
  if (before.name == "text" && after.name == "varchar") return after.modifiers.empty();
  if (before.name != after.name) return false;
  if (before.name == "varchar") {
    return after.modifiers.empty() ||
           (!before.modifiers.empty() && after.modifiers[0] >= before.modifiers[0]);
  }
  if (before.name == "numeric") {
    if (after.modifiers.empty()) return true;
    if (before.modifiers.empty()) return false;
    auto [precision, scale] = precision_and_scale(before);
    auto [new_precision, new_scale] = precision_and_scale(after);
    return new_scale == scale && new_precision >= precision;
  }
  return false;
}

std::optional<VolatileCall> volatile_part(const Node& expression) {
  std::optional<std::string> known, unknown;
  volatile_calls(expression, known, unknown);
  if (known) return VolatileCall{*known, true};
  if (unknown) return VolatileCall{*unknown, false};
  return std::nullopt;
}

std::string written_expression(const Node& expression, std::string_view statement) {
  long location = first_location(expression);
  if (location < 0 || static_cast<size_t>(location) >= statement.size()) return "";
  for (size_t start = static_cast<size_t>(location);;) {
    if (std::string found = expression_from(statement, start); !found.empty()) return found;
    // Parentheses around its first token are no node of their own: take in one more.
    size_t before =
        start == 0 ? std::string_view::npos : statement.find_last_not_of(" \t\r\n", start - 1);
    if (before == std::string_view::npos || statement[before] != '(') return "";
    start = before;
  }
}

}  // namespace ag::checks::lint
