// Reading libpg_query's parse tree (its JSON form): names, types and expressions, in the terms the
// SQL rules need. Absent keys are libpg_query's defaults (false, 0, empty), so every reader here
// accepts a missing key.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ag::checks::lint {

using Node = nlohmann::json;

/// A table's name as a statement wrote it.
struct TableName {
  std::string schema;  ///< Empty when unqualified.
  std::string name;

  /// The key tables are known by: "name" for unqualified or public, else "schema.name".
  std::string key() const;
  /// As messages show it: "name" or "schema.name".
  std::string display() const;
};

/// A RangeVar node's table.
TableName table_name(const Node& range_var);

/// The table a qualified name list names ({"List": {"items": [String...]}}), as DROP lists them.
TableName listed_name(const Node& list);

/// The column a CHECK (column IS NOT NULL) expression tests, or "" for any other expression.
std::string not_null_test_column(const Node& expression);

/// The text of a String node ({"String": {"sval": ...}}); "" for anything else.
std::string string_value(const Node& node);

/// The last String of a list of them (qualified names: ["public", "ix"] -> "ix").
std::string last_name(const Node& names);

/// The texts of a list of String nodes (fk_attrs, keys, ...).
std::vector<std::string> string_values(const Node& list);

/// The value of `key` in `node` as text ("" when absent).
std::string text(const Node& node, const char* key);

/// The boolean `key` in `node` (false when absent).
bool flag(const Node& node, const char* key);

/// Whether the list `key` of `node` holds the option `name` ({"DefElem": {"defname": name}}):
/// REINDEX's CONCURRENTLY, VACUUM's FULL.
bool has_option(const Node& node, const char* key, std::string_view name);

/// The node's one key, e.g. "IndexStmt" for {"IndexStmt": {...}}; "" for anything else.
std::string kind_of(const Node& node);

/// A column type as written, e.g. varchar(20), numeric(10, 2), timestamptz, int4[].
struct TypeRef {
  std::string name;  ///< The last part of the name, as PostgreSQL knows it: int4, varchar.
  std::vector<int> modifiers;  ///< Integer modifiers: (20), (10, 2).
  bool array = false;

  /// As SQL writes it: integer, varchar(20), timestamp, text[].
  std::string display() const;
  bool operator==(const TypeRef&) const = default;
};

/// A TypeName node's type.
TypeRef type_of(const Node& type_name);

/// Whether changing a column from `before` to `after` needs no rewrite and no scan: the same
/// type, varchar widened or its limit dropped, varchar to text, numeric precision raised at the
/// same scale or its limits dropped.
bool binary_coercible(const TypeRef& before, const TypeRef& after);

/// A function call that makes an expression volatile (computed for each row), or may.
struct VolatileCall {
  std::string call;   ///< The function as written, qualifier included: "random()", "app.f()".
  bool known = true;  ///< VOLATILE as far as alembic-gate knows (function_volatility.h); false:
                      ///< a function it does not know, whose volatility it cannot tell (a
                      ///< user-defined function is VOLATILE unless declared STABLE or IMMUTABLE).
};

/// The call that makes `expression` volatile: the first volatile function (random(), nextval(),
/// clock_timestamp(), uuid_generate_v4()), else the first function alembic-gate does not know;
/// nullopt when every call is a known stable or immutable one (now(), date_trunc(), lower()) and
/// for constants, casts and CURRENT_TIMESTAMP: then it is computed once, not for every row.
std::optional<VolatileCall> volatile_part(const Node& expression);

/// The text of `expression`, a node of the statement whose text is `statement` (its locations
/// are offsets into that text), as written: "lower(email)", "(a + b)::int"; "" when the tree
/// does not say where it is.
std::string written_expression(const Node& expression, std::string_view statement);

/// The value of `key` in `node` without copying it; an empty object when absent (or when `node`
/// is not an object), so that lookups chain: child(child(command, "def"), "Constraint").
const Node& child(const Node& node, const char* key);

/// The elements of a list-valued key ([] when absent).
const Node& items(const Node& node, const char* key);

}  // namespace ag::checks::lint
