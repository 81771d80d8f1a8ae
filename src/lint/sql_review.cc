#include "lint/sql_review.h"

#include <fmt/format.h>

#include "lint/schema_model.h"
#include "lint/session_state.h"
#include "lint/sql_parse.h"
#include "lint/sql_rules.h"
#include "util/text.h"

namespace ag::lint {
namespace {

using alembic::EmittedSql;
using alembic::SqlOrigin;

constexpr size_t kQuotedStatement = 200;

class Review {
 public:
  Review(const SqlSources& sources, const std::set<std::string>& in_scope)
      : sources_(sources), in_scope_(in_scope) {}

  void read(const EmittedSql& emitted) {
    if (emitted.revision != revision_) begin_revision(emitted.revision);
    bool judged = emitted.origin == SqlOrigin::revision && in_scope_.contains(emitted.revision);
    Result<std::vector<ParsedStatement>> parsed = parse_sql(emitted.sql);
    if (!parsed) {
      if (judged) unparsable(emitted, parsed.error());
      return;
    }
    for (ParsedStatement& one : *parsed) {
      Statement statement{std::move(one.text), std::move(one.tree), emitted.revision,
                          emitted.origin,      place_of(emitted),   emitted.line};
      if (judged) {
        Judgement judgement{statement, schema_, session_, findings_};
        if (judge(judgement, !lock_timeout_reported_)) lock_timeout_reported_ = true;
      }
      schema_.apply(statement.tree);
      session_.apply(statement.tree, emitted.origin == SqlOrigin::revision
                                         ? SettingLifetime::revision
                                         : SettingLifetime::run);
    }
  }

  Findings take() { return std::move(findings_); }

 private:
  void begin_revision(const std::string& revision) {
    revision_ = revision;
    schema_.begin_revision();
    session_.begin_revision();
    lock_timeout_reported_ = false;
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
    const checks::RuleInfo& rule = sql_rule("unparsable-sql");
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
  std::string revision_;
  bool lock_timeout_reported_ = false;
  Findings findings_;
};

}  // namespace

Findings review_sql(const std::vector<EmittedSql>& sql, const SqlSources& sources,
                    const std::set<std::string>& in_scope) {
  Review review(sources, in_scope);
  for (const EmittedSql& emitted : sql) review.read(emitted);
  return review.take();
}

}  // namespace ag::lint
