#include "checks/lint/sql_lint.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "checks/lint/env_lock_timeout.h"
#include "checks/lint/sql_review.h"
#include "checks/lint/sql_rules.h"
#include "checks/missing_module.h"
#include "sandbox/sandbox.h"
#include "util/file.h"
#include "util/stopwatch.h"

namespace ag::checks::lint {
namespace {

/// What env.py gets as its URL in offline mode: PostgreSQL's dialect, and a port nothing
/// listens on, so an env.py that connects anyway fails at once instead of touching a database.
constexpr std::string_view kOfflineUrl = "postgresql://alembic-gate@127.0.0.1:1/offline";

/// What to do when the worker could not start at all.
constexpr std::string_view kWorkerStartHelp =
    "Set `python` to a Python 3 interpreter that imports Alembic and SQLAlchemy, or give "
    "`install` the command that installs them and what env.py imports.";

class OfflineLint {
 public:
  OfflineLint(const checks::CheckContext& context, const std::vector<std::string>& revisions)
      : context_(context), in_scope_(revisions.begin(), revisions.end()) {}

  Findings run() {
    Stopwatch stopwatch;
    Result<alembic::Worker> worker = alembic::Worker::start(options());
    if (!worker) {
      Findings findings = notice(worker.error(), "the Python worker could not start");
      findings.front().help = std::string(kWorkerStartHelp);  // env.py never ran: not its fault
      return findings;
    }
    Result<std::vector<alembic::RevisionInfo>> known = worker->revisions();
    if (!known) return notice(known.error(), "Alembic cannot load the revisions");
    std::vector<std::string> history = history_through_scope(*known);
    if (history.empty()) return {};
    Result<alembic::OfflineSql> sql = worker->offline_sql(history);
    if (!sql) return notice(sql.error(), "env.py cannot run in offline mode");
    Findings findings = review_sql(sql->statements, sources_of(*known), in_scope_);
    for (const alembic::OfflineFailure& failure : sql->failures)
      if (in_scope_.contains(failure.revision)) findings.push_back(revision_failed(failure));
    in_upgrade_order(findings, history);
    context_.log(
        fmt::format("lint: SQL of {} revisions ({} in scope, {} texts printed) read offline "
                    "and judged in {:.2f} s: {} findings",
                    history.size(), in_scope_.size(), sql->statements.size(), stopwatch.seconds(),
                    findings.size()));
    return findings;
  }

 private:
  alembic::WorkerOptions options() const {
    alembic::WorkerOptions options;
    options.python = context_.settings.python;
    options.project_dir = context_.project.working_directory;
    options.config_file = context_.project.config_file;
    options.url =
        sandbox::with_project_driver(std::string(kOfflineUrl), context_.project.sqlalchemy_url);
    options.url_env = context_.settings.database_url_env;
    options.step_timeout = std::chrono::seconds(context_.settings.step_timeout);
    return options;
  }

  SqlSources sources_of(const std::vector<alembic::RevisionInfo>& known) const {
    SqlSources sources;
    for (const alembic::RevisionInfo& revision : known)
      sources.revision_files[revision.id] = context_.project.relative(revision.path);
    std::filesystem::path env_py = context_.project.script_location / "env.py";
    sources.env_py = context_.project.relative(env_py);
    Result<std::string> source = read_file(env_py);
    EnvLockTimeout read = source ? env_lock_timeout(*source) : EnvLockTimeout{};
    sources.env_sets_lock_timeout = read.sets;
    if (read.sets)
      context_.log("lint: env.py sets a lock_timeout on its connection (a string literal in it)");
    if (read.stopped) {
      context_.log(fmt::format(
          "lint: env.py could not be read past line {} ({}), so a lock_timeout it sets on its "
          "connection after that line is not seen (require-lock-timeout may report it missing)",
          read.stopped->line, read.stopped->message));
    }
    return sources;
  }

  /// Every revision in Alembic's upgrade order up to the last one in scope: the ones before
  /// tell the SQL rules the history (old column types, which tables exist).
  std::vector<std::string> history_through_scope(
      const std::vector<alembic::RevisionInfo>& known) const {
    std::vector<std::string> history;
    size_t through = 0;
    for (const alembic::RevisionInfo& revision : known) {
      history.push_back(revision.id);
      if (in_scope_.contains(revision.id)) through = history.size();
    }
    history.resize(through);
    return history;
  }

  /// Each revision's findings together, in upgrade order (a failure notice joins its revision's).
  static void in_upgrade_order(Findings& findings, const std::vector<std::string>& history) {
    auto position = [&](const Finding& finding) {
      return std::find(history.begin(), history.end(), finding.revision) - history.begin();
    };
    std::stable_sort(findings.begin(), findings.end(),
                     [&](const Finding& a, const Finding& b) { return position(a) < position(b); });
  }

  Finding located(std::string_view rule, std::string message, const Error& error) const {
    const RuleInfo& info = sql_rule(rule);
    std::string file = error.where.empty() ? "" : context_.project.relative(error.where);
    return {.check = std::string(info.check),
            .rule = std::string(rule),
            .severity = info.severity,
            .message = std::move(message),
            .file = file,
            .line = error.line,
            .help = std::string(info.help)};
  }

  /// The run could not get the SQL: one notice, and the static rules stand alone.
  Findings notice(const Error& error, std::string_view why) const {
    context_.log("lint: " + error.describe() + (error.detail.empty() ? "" : "\n" + error.detail));
    Finding finding =
        located("offline-env-failed",
                fmt::format("{}, so the SQL rules did not run (only the static rules did): {}", why,
                            first_line(error.message)),
                error);
    explain_missing_module(finding, error, context_);
    return {finding};
  }

  Finding revision_failed(const alembic::OfflineFailure& failure) const {
    Finding finding = located(
        "offline-revision-failed",
        fmt::format("upgrade() of {} raised in offline mode, so the SQL rules did not see what it "
                    "runs from here on: {}",
                    failure.revision, first_line(failure.error.message)),
        failure.error);
    finding.revision = failure.revision;
    return finding;
  }

  static std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

  const checks::CheckContext& context_;
  std::set<std::string> in_scope_;
};

}  // namespace

Findings lint_sql(const checks::CheckContext& context, const std::vector<std::string>& revisions) {
  if (revisions.empty()) return {};
  return OfflineLint(context, revisions).run();
}

}  // namespace ag::checks::lint
