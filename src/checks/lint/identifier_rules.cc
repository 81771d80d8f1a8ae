// identifier-too-long: the names a statement defines that PostgreSQL would truncate, and the
// names SQLAlchemy refused to render.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "checks/lint/sql_rules.h"

namespace ag::checks::lint {
namespace {

constexpr size_t kMaxIdentifier = 63;  // NAMEDATALEN - 1

/// A name the statement defines (or, for SQLAlchemy's refusals, drops), with what it names and
/// the Alembic code that sets it: {0} is the name, {1} the statement's table.
struct NamedObject {
  std::string what;
  std::string name;
  std::string_view alembic;
};

bool identifier_byte(char c) {
  auto byte = static_cast<unsigned char>(c);
  return std::isalnum(byte) || c == '_' || c == '$' || byte >= 0x80;
}

/// The identifier as written in `text` when the parser truncated it to `parsed`, or "".
/// Unquoted names are folded to lower case by the parser, hence the case-blind search.
std::string written_identifier(std::string_view text, const std::string& parsed) {
  auto same = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  };
  for (auto at = text.begin();
       (at = std::search(at, text.end(), parsed.begin(), parsed.end(), same)) != text.end(); ++at) {
    size_t start = at - text.begin(), end = start + parsed.size();
    bool quoted = start > 0 && text[start - 1] == '"';
    if (!quoted && start > 0 && identifier_byte(text[start - 1])) continue;
    auto continues = [&](size_t i) {
      return i < text.size() && (quoted ? text[i] != '"' : identifier_byte(text[i]));
    };
    if (!continues(end)) continue;
    while (continues(end)) ++end;
    return std::string(text.substr(start, end - start));
  }
  return "";
}

/// `name` cut to 63 bytes at a character boundary, as PostgreSQL truncates it.
std::string truncated(const std::string& name) {
  size_t end = std::min(name.size(), kMaxIdentifier);
  while (end > 0 && end < name.size() && (static_cast<unsigned char>(name[end]) & 0xC0) == 0x80)
    --end;
  return name.substr(0, end);
}

/// How Alembic code names a constraint of one type: added to an existing table, and defined in
/// op.create_table with the table.
struct ConstraintCalls {
  std::string_view contype;
  std::string_view added;
  std::string_view in_create_table;
};

constexpr std::array<ConstraintCalls, 4> kConstraintCalls = {{
    {"CONSTR_CHECK", "op.create_check_constraint(\"{0}\", \"{1}\", ...)",
     "op.create_table(\"{1}\", ..., sa.CheckConstraint(..., name=\"{0}\"))"},
    {"CONSTR_UNIQUE", "op.create_unique_constraint(\"{0}\", \"{1}\", [...])",
     "op.create_table(\"{1}\", ..., sa.UniqueConstraint(..., name=\"{0}\"))"},
    {"CONSTR_FOREIGN", "op.create_foreign_key(\"{0}\", \"{1}\", ...)",
     "op.create_table(\"{1}\", ..., sa.ForeignKeyConstraint([...], [...], name=\"{0}\"))"},
    {"CONSTR_PRIMARY", "op.create_primary_key(\"{0}\", \"{1}\", [...])",
     "op.create_table(\"{1}\", ..., sa.PrimaryKeyConstraint(..., name=\"{0}\"))"},
}};

/// The Alembic code that names a constraint of type `contype`, in CREATE TABLE or not.
std::string_view constraint_call(const std::string& contype, bool in_create_table) {
  for (const ConstraintCalls& calls : kConstraintCalls)
    if (calls.contype == contype) return in_create_table ? calls.in_create_table : calls.added;
  return "name=\"{0}\"";
}

/// The Alembic call that renames to a new name, by RenameStmt's renameType.
std::string_view rename_call(const std::string& rename_type) {
  if (rename_type == "OBJECT_COLUMN")
    return "op.alter_column(\"{1}\", \"{2}\", new_column_name=\"{0}\")";
  if (rename_type == "OBJECT_TABLE") return "op.rename_table(\"{1}\", \"{0}\")";
  return "op.execute(\"ALTER ... RENAME TO {0}\")";
}

/// The names defined anywhere in `node` (columns, constraints, indexes, renames), which stands
/// in a CREATE TABLE or not.
void defined_names(const Node& node, bool in_create_table, std::vector<NamedObject>& out) {
  if (node.is_array()) {
    for (const Node& item : node) defined_names(item, in_create_table, out);
    return;
  }
  if (!node.is_object()) return;
  for (const auto& [key, value] : node.items()) {
    if (value.is_string()) {
      std::string name = value.get<std::string>();
      if (key == "colname") out.push_back({"column", name, "sa.Column(\"{0}\", ...)"});
      if (key == "conname")
        out.push_back(
            {"constraint", name, constraint_call(text(node, "contype"), in_create_table)});
      if (key == "idxname")
        out.push_back({"index", name, "op.create_index(\"{0}\", \"{1}\", ...)"});
      if (key == "newname") out.push_back({"new", name, rename_call(text(node, "renameType"))});
    }
    defined_names(value, in_create_table, out);
  }
}

std::vector<NamedObject> named_objects(const Statement& statement) {
  std::vector<NamedObject> names;
  std::string kind = statement.kind();
  const Node& node = statement.node();
  auto relname = [&](const char* key) { return text(child(node, key), "relname"); };
  if (kind == "CreateStmt")
    names.push_back({"table", relname("relation"), "op.create_table(\"{0}\", ...)"});
  if (kind == "ViewStmt")
    names.push_back({"view", relname("view"), "op.execute(\"CREATE VIEW {0} AS ...\")"});
  if (kind == "CreateSeqStmt")
    names.push_back({"sequence", relname("sequence"), "sa.Sequence(\"{0}\")"});
  if (kind == "CreateEnumStmt")
    names.push_back({"type", last_name(items(node, "typeName")), "sa.Enum(..., name=\"{0}\")"});
  defined_names(node, kind == "CreateStmt", names);
  return names;
}

/// What a name SQLAlchemy refused names when the statement does not define it (a drop).
NamedObject refused_reference(const Statement& statement, const std::string& name) {
  if (statement.kind() == "DropStmt" && text(statement.node(), "removeType") == "OBJECT_INDEX")
    return {"index", name, "op.drop_index(\"{0}\", ...)"};
  if (statement.kind() == "AlterTableStmt")
    return {"constraint", name, "op.drop_constraint(\"{0}\", \"{1}\")"};
  return {"object", name, "\"{0}\""};
}

std::string help(const Statement& statement, const NamedObject& named, const std::string& cut) {
  const Node& node = statement.node();
  std::string table = text(child(node, "relation"), "relname");
  std::string example = fmt::format(fmt::runtime(named.alembic), cut, table, text(node, "subname"));
  bool generated = named.what == "index" || named.what == "constraint";
  return fmt::format(
      "name it in at most 63 bytes where the migration names it, e.g. `{}`{}", example,
      generated ? "; for names the MetaData's naming_convention generates, shorten the convention"
                : "");
}

/// What breaks when PostgreSQL keeps the first 63 bytes of a name: SQL by the long name still
/// works (PostgreSQL cuts it the same way); what reads the name back, or renders it through
/// SQLAlchemy, does not.
std::string what_breaks(const NamedObject& named, const std::string& written) {
  std::string drift =
      fmt::format("autogenerate sees {} where the models say {}", named.name, written);
  if (named.what != "index" && named.what != "constraint")
    return fmt::format("the database reports the short name: {}", drift);
  return fmt::format(
      "SQLAlchemy refuses to render it (IdentifierError): a later "
      "`op.drop_{}(\"{}\", ...)` fails, and {}",
      named.what, written, drift);
}

void truncated_by_postgres(const Judgement& judgement, const NamedObject& named,
                           const std::string& written) {
  judgement.report(
      "identifier-too-long",
      fmt::format("the {} name {} is {} bytes: PostgreSQL keeps its first 63 ({}) with only a "
                  "NOTICE; SQL by the long name still works, but {}",
                  named.what, written, written.size(), named.name, what_breaks(named, written)),
      help(judgement.statement, named, named.name));
}

void refused_by_sqlalchemy(const Judgement& judgement, const NamedObject& named) {
  judgement.report(
      "identifier-too-long",
      fmt::format("the {} name {} is {} bytes, more than the 63 PostgreSQL keeps: SQLAlchemy "
                  "refuses to render it (IdentifierError), so the migration fails here",
                  named.what, named.name, named.name.size()),
      help(judgement.statement, named, truncated(named.name)), Severity::error);
}

}  // namespace

void judge_identifiers(const Judgement& judgement) {
  const Statement& statement = judgement.statement;
  std::vector<std::string> refused = statement.refused_identifiers;
  for (NamedObject& named : named_objects(statement)) {
    if (named.name.size() + 4 < kMaxIdentifier)
      continue;  // truncation cuts at a character boundary
    std::string written = written_identifier(statement.text, named.name);
    if (written.size() <= kMaxIdentifier) continue;
    auto refusal = std::find(refused.begin(), refused.end(), written);
    if (refusal == refused.end()) {
      truncated_by_postgres(judgement, named, written);
      continue;
    }
    refused.erase(refusal);
    named.name = written;
    refused_by_sqlalchemy(judgement, named);
  }
  for (const std::string& name : refused)
    refused_by_sqlalchemy(judgement, refused_reference(statement, name));
}

}  // namespace ag::checks::lint
