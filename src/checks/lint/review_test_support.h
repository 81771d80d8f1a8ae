// For the SQL rules' unit tests: offline SQL streams written by hand, as the worker would report
// them, reviewed without a worker or a database.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "checks/lint/sql_review.h"

namespace ag::checks::lint::test {

/// An offline SQL stream. Revision `id`'s file is "versions/<id>.py"; env.py is "env.py".
class SqlRun {
 public:
  /// A statement env.py emits (line 1).
  SqlRun& env(std::string sql) {
    return add({std::move(sql), revision_, alembic::SqlOrigin::env, 1});
  }
  /// A statement Alembic emits itself (BEGIN, COMMIT, the version table).
  SqlRun& alembic(std::string sql) {
    return add({std::move(sql), revision_, alembic::SqlOrigin::alembic, 0});
  }
  /// From now on, statements belong to revision `id`.
  SqlRun& revision(std::string id) {
    revision_ = std::move(id);
    return *this;
  }
  /// A text the current revision's upgrade() emits from `line`, with the names SQLAlchemy
  /// refused to render in it.
  SqlRun& op(std::string sql, int line = 1, std::vector<std::string> refused_identifiers = {}) {
    return add({std::move(sql), revision_, alembic::SqlOrigin::revision, line,
                std::move(refused_identifiers)});
  }

  /// The findings for the revisions in `scope` (default: the last revision named).
  Findings review(std::set<std::string> scope = {}) const {
    SqlSources sources{{}, "env.py"};
    for (const alembic::EmittedSql& emitted : sql_)
      sources.revision_files[emitted.revision] = "versions/" + emitted.revision + ".py";
    if (scope.empty()) scope.insert(revision_);
    return review_sql(sql_, sources, scope);
  }

 private:
  SqlRun& add(alembic::EmittedSql emitted) {
    sql_.push_back(std::move(emitted));
    return *this;
  }
  std::vector<alembic::EmittedSql> sql_;
  std::string revision_;
};

/// The findings of revision "r1", whose upgrade() emits `sql` from line 1 inside Alembic's
/// transaction, after revision "r0" emitted `history` the same way. env.py sets a lock_timeout,
/// so require-lock-timeout stays out of the way (its own tests use SqlRun).
inline Findings lint(std::string sql, std::string history = "") {
  SqlRun run;
  run.env("SET lock_timeout = '5s';").revision("r0").alembic("BEGIN;");
  if (!history.empty()) run.op(std::move(history));
  run.alembic("COMMIT;").revision("r1").alembic("BEGIN;").op(std::move(sql)).alembic("COMMIT;");
  return run.review();
}

/// The rule ids of `findings`, in order.
inline std::vector<std::string> rules(const Findings& findings) {
  std::vector<std::string> out;
  for (const Finding& finding : findings) out.push_back(finding.rule);
  return out;
}

/// The findings of `findings` with rule `rule`.
inline Findings with_rule(const Findings& findings, std::string_view rule) {
  Findings out;
  for (const Finding& finding : findings)
    if (finding.rule == rule) out.push_back(finding);
  return out;
}

}  // namespace ag::checks::lint::test
