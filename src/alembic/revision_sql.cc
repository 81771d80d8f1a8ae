#include "alembic/revision_sql.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "util/paths.h"

namespace ag::alembic {
namespace {

/// What a run prints outside every step: before the first one (env.py's own statements, the
/// transaction around all of them) and after the last one (its end).
struct Framing {
  std::vector<SqlText> before;
  std::vector<SqlText> after;
};

SqlText text_of(const EmittedSql& emitted) {
  return {emitted.sql, emitted.origin == SqlOrigin::revision ? emitted.line : 0};
}

Framing framing_of(const std::vector<EmittedSql>& statements) {
  Framing framing;
  auto first_step = std::find_if(statements.begin(), statements.end(),
                                 [](const EmittedSql& s) { return !s.revision.empty(); });
  for (auto it = statements.begin(); it != first_step; ++it) framing.before.push_back(text_of(*it));
  auto last_step = std::find_if(statements.rbegin(), statements.rend(),
                                [](const EmittedSql& s) { return !s.revision.empty(); });
  if (last_step == statements.rend()) return framing;  // no step: all of it came before
  for (auto it = last_step.base(); it != statements.end(); ++it)
    framing.after.push_back(text_of(*it));
  return framing;
}

std::string first_line(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return "";
  text.remove_prefix(start);
  return std::string(text.substr(0, text.find('\n')));
}

std::string failure_text(const Error& error, const std::filesystem::path& root) {
  std::string place = error.where.empty() ? "" : relative_inside(error.where, root);
  if (!place.empty() && error.line > 0) place += fmt::format(":{}", error.line);
  return fmt::format("raised in offline mode{}: {}", place.empty() ? "" : " at " + place,
                     first_line(error.message));
}

}  // namespace

std::vector<RevisionSql> revisions_sql(const std::vector<std::string>& wanted,
                                       const OfflineSql& upgrade,
                                       const std::vector<OfflineDowngrade>& downgrades,
                                       const std::vector<RevisionInfo>& known,
                                       const std::filesystem::path& root) {
  Framing framing = framing_of(upgrade.statements);
  std::map<std::string, RevisionSql> by_id;
  for (const std::string& id : wanted) by_id[id] = {.revision = id, .upgrade = framing.before};
  for (const RevisionInfo& info : known) {
    auto it = by_id.find(info.id);
    if (it == by_id.end()) continue;
    it->second.message = first_line(info.doc);
    it->second.file = relative_inside(info.path, root);
  }
  for (const EmittedSql& emitted : upgrade.statements) {
    auto it = by_id.find(emitted.revision);
    if (it != by_id.end()) it->second.upgrade.push_back(text_of(emitted));
  }
  for (const OfflineFailure& failure : upgrade.failures) {
    auto it = by_id.find(failure.revision);
    if (it != by_id.end()) it->second.upgrade_failure = failure_text(failure.error, root);
  }
  for (const OfflineDowngrade& downgrade : downgrades) {
    auto it = by_id.find(downgrade.revision);
    if (it == by_id.end()) continue;
    for (const EmittedSql& emitted : downgrade.statements)
      it->second.downgrade.push_back(text_of(emitted));
    if (downgrade.failure) it->second.downgrade_failure = failure_text(*downgrade.failure, root);
  }
  std::vector<RevisionSql> out;
  for (const std::string& id : wanted) {
    RevisionSql& revision = by_id[id];
    revision.upgrade.insert(revision.upgrade.end(), framing.after.begin(), framing.after.end());
    out.push_back(std::move(revision));
  }
  return out;
}

}  // namespace ag::alembic
