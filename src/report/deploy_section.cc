#include "report/deploy_section.h"

#include <fmt/format.h>

#include <algorithm>

#include "report/markdown.h"

namespace ag {
namespace {

/// Ids as code, comma-separated; `none` when there are none.
std::string ids(const std::vector<std::string>& values, std::string_view none) {
  if (values.empty()) return std::string(none);
  std::string out;
  for (const std::string& value : values)
    out += (out.empty() ? "" : ", ") + ("<code>" + html_text(value) + "</code>");
  return out;
}

/// The check's SQL of `revision`, when it has it.
const RevisionSql* sql_of(const CheckOutcome& check, const std::string& revision) {
  if (!check.sql_review) return nullptr;
  for (const RevisionSql& sql : check.sql_review->revisions)
    if (sql.revision == revision) return &sql;
  return nullptr;
}

std::string_view way_back(const DeployState& state, const RevisionSql* sql,
                          const std::string& revision) {
  if (std::find(state.no_way_back.begin(), state.no_way_back.end(), revision) !=
      state.no_way_back.end())
    return "⚠️ none";
  if (sql == nullptr) return "✅ downgrade";  // older than the revisions whose SQL is shown
  return sql->downgrade_failure.empty() ? "✅ downgrade" : "❔ not rendered offline";
}

std::string pending_table(const CheckOutcome& check) {
  const DeployState& state = *check.deploy;
  std::string out = "| # | revision | message | way back |\n|---:|---|---|---|\n";
  for (size_t i = 0; i < state.pending.size(); ++i) {
    const std::string& id = state.pending[i];
    const RevisionSql* sql = sql_of(check, id);
    std::string message = sql == nullptr ? "" : html_text(sql->message);
    std::replace(message.begin(), message.end(), '|', '/');
    out += fmt::format("| {} | <code>{}</code> | {} | {} |\n", i + 1, html_text(id), message,
                       way_back(state, sql, id));
  }
  return out + "\n";
}

}  // namespace

std::string deploy_section(const Report& report) {
  for (const CheckOutcome& check : report.checks) {
    if (!check.deploy) continue;
    const DeployState& state = *check.deploy;
    std::string out = fmt::format(
        "#### Deploy gate\n\n| database | version table | now at | heads | pending |\n"
        "|---|---|---|---|---:|\n| {} | <code>{}</code> | {} | {} | {} |\n\n",
        html_text(state.database), html_text(state.version_table),
        ids(state.current, "nothing applied"), ids(state.heads, "none"),
        state.pending_known ? std::to_string(state.pending.size()) : std::string("unknown"));
    if (state.pending.empty()) {
      return out + (state.pending_known ? "Nothing to run: the database is at the heads.\n\n"
                                        : "What the deploy would run cannot be told.\n\n");
    }
    return out + pending_table(check);
  }
  return "";
}

}  // namespace ag
