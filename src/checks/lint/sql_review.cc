#include "checks/lint/sql_review.h"

#include <fmt/format.h>

#include <set>
#include <span>

#include "checks/lint/schema_model.h"
#include "checks/lint/session_state.h"
#include "checks/lint/sql_locks.h"
#include "checks/lint/sql_parse.h"
#include "checks/lint/sql_rules.h"
#include "util/text.h"

namespace ag::checks::lint {
namespace {

using alembic::EmittedSql;
using alembic::SqlOrigin;

constexpr size_t kQuotedStatement = 200;

/// The rules whose statement holds its lock for as long as it takes to build an index, rewrite
/// the table or scan it: the bigger the table, the longer the application waits.
const std::set<std::string, std::less<>> kGrowsWithTable = {"require-concurrent-index-creation",
                                                            "disallowed-unique-constraint",
                                                            "adding-field-with-default",
                                                            "changing-column-type",
                                                            "adding-not-nullable-field",
                                                            "adding-foreign-key-constraint",
                                                            "constraint-missing-not-valid",
                                                            "require-concurrent-reindex",
                                                            "ban-cluster",
                                                            "ban-vacuum-full",
                                                            "unbatched-data-change"};

/// One printed text of a revision, parsed.
struct ReadText {
  const EmittedSql& emitted;
  Result<std::vector<ParsedStatement>> parsed;
};

/// What the revision's own SQL does as a whole: the tables it drops.
RevisionOutlook outlook_of(const std::vector<ReadText>& texts) {
  RevisionOutlook outlook;
  for (const ReadText& read : texts) {
    if (read.emitted.origin != SqlOrigin::revision || !read.parsed) continue;
    for (const ParsedStatement& statement : *read.parsed) {
      const Node& drop = child(statement.tree, "DropStmt");
      if (text(drop, "removeType") != "OBJECT_TABLE") continue;
      for (const Node& object : items(drop, "objects"))
        outlook.dropped_tables.insert(listed_name(object).key());
    }
  }
  return outlook;
}

class Review {
 public:
  Review(const SqlSources& sources, const std::set<std::string>& in_scope)
      : sources_(sources), in_scope_(in_scope) {
    if (sources.env_sets_lock_timeout) session_.set_lock_timeout_for_run();
  }

  /// The texts printed while one revision ran (or before the first), in order.
  void read_revision(std::span<const EmittedSql> texts) {
    schema_.begin_revision();
    session_.begin_revision();
    lock_timeout_reported_ = false;
    std::vector<ReadText> read;
    for (const EmittedSql& emitted : texts) read.push_back({emitted, parse_sql(emitted.sql)});
    RevisionOutlook outlook = outlook_of(read);
    for (ReadText& text : read) take_in(text, outlook);
  }

  Findings take() { return std::move(findings_); }

 private:
  void take_in(ReadText& read, const RevisionOutlook& outlook) {
    const EmittedSql& emitted = read.emitted;
    bool judged = emitted.origin == SqlOrigin::revision && in_scope_.contains(emitted.revision);
    if (!read.parsed) {
      if (judged) unparsable(emitted, read.parsed.error());
      return;
    }
    for (ParsedStatement& one : *read.parsed) {
      Statement statement{std::move(one.text),
                          std::move(one.tree),
                          emitted.revision,
                          emitted.origin,
                          place_of(emitted),
                          emitted.line,
                          emitted.refused_identifiers,
                          source_of(emitted)};
      if (judged) {
        size_t before = findings_.size();
        Judgement judgement{statement, schema_, session_, outlook, findings_};
        if (judge(judgement, !lock_timeout_reported_)) lock_timeout_reported_ = true;
        name_locked_tables(statement, before);
      }
      schema_.apply(statement.tree);
      session_.apply(statement.tree, emitted.origin == SqlOrigin::revision
                                         ? SettingLifetime::revision
                                         : SettingLifetime::run);
    }
  }

  /// The existing tables the statement locks, on its findings (from `first` on) whose cost
  /// grows with the table: the deploy gate weighs them against the target's sizes.
  void name_locked_tables(const Statement& statement, size_t first) {
    std::vector<std::string> tables;
    for (const TableLock& lock : blocking_locks(statement.tree, schema_))
      if (!schema_.is_new(lock.table)) tables.push_back(lock.table.display());
    // An UPDATE or DELETE locks rows, not the table: its cost grows with the table all the same.
    if (statement.kind() == "UpdateStmt" || statement.kind() == "DeleteStmt")
      tables.push_back(table_name(child(statement.node(), "relation")).display());
    if (tables.empty()) return;
    for (size_t i = first; i < findings_.size(); ++i)
      if (kGrowsWithTable.contains(findings_[i].rule)) findings_[i].tables = tables;
  }

  const MigrationFile* source_of(const EmittedSql& emitted) const {
    if (emitted.origin != SqlOrigin::revision) return nullptr;
    auto source = sources_.sources.find(emitted.revision);
    return source == sources_.sources.end() ? nullptr : source->second;
  }

  std::string place_of(const EmittedSql& emitted) const {
    if (emitted.origin == SqlOrigin::env) return sources_.env_py;
    if (emitted.origin == SqlOrigin::alembic) return "";
    auto file = sources_.revision_files.find(emitted.revision);
    return file == sources_.revision_files.end() ? "" : file->second;
  }

  void unparsable(const EmittedSql& emitted, const Error& error) {
    std::string quoted = collapse_whitespace(emitted.sql);
    if (quoted.size() > kQuotedStatement) quoted = quoted.substr(0, kQuotedStatement) + "...";
    const RuleInfo& rule = sql_rule("unparsable-sql");
    findings_.push_back(
        {std::string(rule.check), std::string(rule.id), rule.severity,
         fmt::format("PostgreSQL's parser cannot read this statement ({}), so no SQL rule "
                     "checked it: {}",
                     error.message, quoted),
         place_of(emitted), emitted.line, 0, emitted.revision,
         "check the SQL this line emits; PostgreSQL would most likely reject it too"});
  }

  const SqlSources& sources_;
  const std::set<std::string>& in_scope_;
  SchemaModel schema_;
  SessionState session_;
  bool lock_timeout_reported_ = false;
  Findings findings_;
};

}  // namespace

Findings review_sql(const std::vector<EmittedSql>& sql, const SqlSources& sources,
                    const std::set<std::string>& in_scope) {
  Review review(sources, in_scope);
  std::span<const EmittedSql> rest(sql);
  while (!rest.empty()) {
    size_t length = 1;
    while (length < rest.size() && rest[length].revision == rest[0].revision) ++length;
    review.read_revision(rest.first(length));
    rest = rest.subspan(length);
  }
  return review.take();
}

}  // namespace ag::checks::lint
