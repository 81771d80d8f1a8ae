// The SQL rules: the judgement of one statement, by families of rules (one file each), and
// their catalog (sql_rules() in sql_lint.h).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "checks/lint/schema_model.h"
#include "checks/lint/session_state.h"
#include "checks/lint/sql_statement.h"
#include "core/finding.h"
#include "core/rule_info.h"

namespace ag::checks::lint {

/// What the revision being judged does as a whole, read before its first statement is judged.
struct RevisionOutlook {
  std::set<std::string> dropped_tables;  ///< TableName::key() of each table its SQL drops.

  bool drops(const TableName& table) const { return dropped_tables.contains(table.key()); }
};

/// One statement to judge, with what was known just before it ran, and where findings go.
struct Judgement {
  const Statement& statement;
  const SchemaModel& schema;
  const SessionState& session;
  const RevisionOutlook& outlook;
  Findings& out;

  /// Whether `table` existed before this revision: every table the revision did not create.
  bool existing(const TableName& table) const { return !schema.is_new(table); }

  /// Adds a finding of `rule` at the statement's file and line, with the rule's default
  /// severity unless `severity` is given.
  void report(std::string_view rule, std::string message, std::string help,
              std::optional<Severity> severity = std::nullopt) const;
};

/// Every family below on one statement. `lock_timeout` says whether to apply
/// require-lock-timeout (once per revision is enough); returns whether it reported.
bool judge(const Judgement& judgement, bool lock_timeout);

// The families.
void judge_indexes(const Judgement& judgement);       ///< index_rules.cc
void judge_constraints(const Judgement& judgement);   ///< constraint_rules.cc
void judge_columns(const Judgement& judgement);       ///< column_rules.cc
void judge_tables(const Judgement& judgement);        ///< table_rules.cc
void judge_types(const Judgement& judgement);         ///< type_rules.cc
void judge_identifiers(const Judgement& judgement);   ///< identifier_rules.cc
void judge_data_changes(const Judgement& judgement);  ///< data_rules.cc
bool judge_lock_timeout(const Judgement& judgement);  ///< table_rules.cc; true when it reported

/// The catalog entry of `id`; contract: `id` is one of sql_rules().
const RuleInfo& sql_rule(std::string_view id);

/// The schema argument of an Alembic operation on `table`: `, schema="s"`, or "" unqualified.
std::string schema_keyword(const TableName& table);

/// The SQLAlchemy type of a column as a migration writes it: sa.String(length=200),
/// sa.BigInteger(), postgresql.JSONB(), postgresql.ARRAY(sa.Text()); "..." for a type it does not
/// know.
std::string sqlalchemy_type(const TypeRef& type);

/// A list of column names as Python writes it: ["a", "b"]; an empty name (an expression) is
/// written sa.text(...).
std::string python_list(const std::vector<std::string>& names);

}  // namespace ag::checks::lint
