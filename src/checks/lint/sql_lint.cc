#include "checks/lint/sql_lint.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <span>

#include "alembic/revision_sql.h"
#include "checks/lint/env_lock_timeout.h"
#include "checks/lint/sql_review.h"
#include "checks/lint/sql_rules.h"
#include "checks/missing_module.h"
#include "util/file.h"
#include "util/stopwatch.h"
#include "util/text.h"

namespace ag::checks::lint {
namespace {

/// What to do when the worker could not start at all.
constexpr std::string_view kWorkerStartHelp =
    "Set `python` to a Python 3 interpreter that imports Alembic and SQLAlchemy, or give "
    "`install` the command that installs them and what env.py imports.";

class OfflineLint {
 public:
  OfflineLint(const checks::CheckContext& context, const std::vector<std::string>& revisions,
              const RevisionSources& sources, bool review)
      : context_(context),
        sources_(sources),
        in_scope_(revisions.begin(), revisions.end()),
        scope_order_(revisions),
        review_(review) {}

  SqlLint run() {
    Stopwatch stopwatch;
    Result<alembic::Worker> worker = alembic::Worker::start(offline_worker_options(context_));
    if (!worker) {
      SqlLint out = notice(worker.error(), "the Python worker could not start");
      out.findings.front().help = std::string(kWorkerStartHelp);  // env.py never ran: not its fault
      return out;
    }
    Result<std::vector<alembic::RevisionInfo>> known = worker->revisions();
    if (!known) return notice(known.error(), "Alembic cannot load the revisions");
    std::vector<std::string> history = history_through_scope(*known);
    if (history.empty()) return {};
    Result<alembic::OfflineSql> sql = worker->offline_sql(history);
    if (!sql) return notice(sql.error(), "env.py cannot run in offline mode");
    std::set<std::string> ran_instead;
    std::vector<alembic::EmittedSql> judged = with_ran_sql(*sql, ran_instead);
    SqlLint out{review_sql(judged, sources_of(*known), in_scope_), std::nullopt};
    for (const alembic::OfflineFailure& failure : sql->failures) {
      if (in_scope_.contains(failure.revision))
        out.findings.push_back(revision_failed(failure, ran_instead.contains(failure.revision)));
    }
    in_upgrade_order(out.findings, history);
    context_.log(
        fmt::format("lint: SQL of {} revisions ({} in scope, {} texts printed) read offline "
                    "and judged in {:.2f} s: {} findings",
                    history.size(), in_scope_.size(), sql->statements.size(), stopwatch.seconds(),
                    out.findings.size()));
    if (review_) out.review = for_review(*worker, *sql, *known);
    return out;
  }

 private:
  /// Where findings point, what env.py sets, and the sources of the revisions in scope: what
  /// their `op.` calls say that the SQL does not.
  SqlSources sources_of(const std::vector<alembic::RevisionInfo>& known) const {
    SqlSources sources;
    sources.sources = sources_;
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
  SqlLint notice(const Error& error, std::string_view why) const {
    context_.log("lint: " + error.describe() + (error.detail.empty() ? "" : "\n" + error.detail));
    Finding finding =
        located("offline-env-failed",
                fmt::format("{}, so the SQL rules did not run (only the static rules did): {}", why,
                            first_line(error.message)),
                error);
    finding.help = offline_failure_help(error);
    explain_missing_module(finding, error, context_);
    SqlLint out{{finding}, std::nullopt};
    if (review_)
      out.review = SqlReview{.unavailable = fmt::format("{}: {}", why, error.describe())};
    return out;
  }

  /// What to do when env.py's offline run failed. An env.py that connects (or never runs the
  /// migrations) in offline mode needs an offline branch; an import that fails in the gate's
  /// environment needs what it imports; a revision that raises otherwise while Alembic loads it
  /// needs fixing at that line.
  std::string offline_failure_help(const Error& error) const {
    static constexpr std::string_view kConnecting[] = {"onnection refused", "Connect call failed",
                                                       "could not connect",
                                                       "did not call context.run_migrations()"};
    static constexpr std::string_view kConnectionErrors[] = {
        "OperationalError", "InterfaceError", "ConnectionRefusedError", "EnvironmentError"};
    static constexpr std::string_view kImportErrors[] = {"ModuleNotFoundError", "ImportError",
                                                         "KeyError"};
    auto any_of = [](std::span<const std::string_view> list, auto test) {
      return std::any_of(list.begin(), list.end(), test);
    };
    bool connects =
        any_of(kConnectionErrors, [&](std::string_view kind) { return error.kind == kind; }) ||
        any_of(kConnecting, [&](std::string_view sign) {
          return error.message.find(sign) != std::string::npos;
        });
    if (connects) return std::string(sql_rule("offline-env-failed").help);
    bool imports = any_of(kImportErrors, [&](std::string_view kind) { return error.kind == kind; });
    constexpr std::string_view kImports =
        "it must import in the gate's environment as it does in yours: give the `install` input "
        "the command that installs what it imports (e.g. `pip install -r requirements.txt`), and "
        "set the environment variables its imports read (the step's `env:`)";
    std::string where = error.where.empty() ? "" : context_.project.relative(error.where);
    const std::vector<std::filesystem::path>& folders = context_.project.version_locations;
    bool in_revision = std::any_of(folders.begin(), folders.end(), [&](const auto& folder) {
      return !error.where.empty() && error.where.starts_with(folder.string() + "/");
    });
    if (in_revision) {
      Result<std::string> source = read_file(error.where);
      std::string statement = source ? std::string(trim(line_of(*source, error.line))) : "";
      std::string quoted =
          statement.empty() ? "" : fmt::format(" (line {}: `{}`)", error.line, statement);
      if (imports)
        return fmt::format("{} raised while Alembic loaded it{}, not env.py: {}", where, quoted,
                           kImports);
      return fmt::format(
          "{} raises while Alembic loads it{}, as `alembic history` would: fix "
          "that line",
          where, quoted);
    }
    if (!imports) return std::string(sql_rule("offline-env-failed").help);
    return fmt::format("env.py's offline run raised{}, not for want of an offline branch: {}",
                       where.empty() ? "" : fmt::format(" in {} line {}", where, error.line),
                       kImports);
  }

  /// The newest kReviewedRevisions revisions in scope: their upgrade SQL from `sql`, their
  /// downgrade SQL from one more offline run each.
  SqlReview for_review(alembic::Worker& worker, const alembic::OfflineSql& sql,
                       const std::vector<alembic::RevisionInfo>& known) const {
    Stopwatch stopwatch;
    SqlReview review;
    std::vector<std::string> shown = newest_for_review(scope_order_, review.left_out);
    Result<std::vector<alembic::OfflineDowngrade>> downgrades = worker.offline_downgrades(shown);
    review.revisions = alembic::revisions_sql(
        shown, sql, downgrades ? *downgrades : std::vector<alembic::OfflineDowngrade>{}, known,
        context_.project.repository_root);
    if (!downgrades) {
      context_.log("lint: the downgrades' SQL cannot be shown: " + downgrades.error().describe());
      for (RevisionSql& revision : review.revisions) {
        revision.downgrade_failure =
            "env.py cannot run in offline mode for a downgrade: " + downgrades.error().describe();
      }
    }
    context_.log(
        fmt::format("lint: the SQL of {} revisions for review ({} older not shown), "
                    "their downgrades rendered offline in {:.2f} s",
                    shown.size(), review.left_out, stopwatch.seconds()));
    return review;
  }

  /// The offline SQL, with each revision whose upgrade raised offline and that the roundtrip ran
  /// online judged by what it ran there instead: its own statements dropped, what it ran put
  /// where it stopped (before what Alembic printed after it: its version table statement, the
  /// commit). Those revisions go into `ran_instead`.
  std::vector<alembic::EmittedSql> with_ran_sql(const alembic::OfflineSql& sql,
                                                std::set<std::string>& ran_instead) const {
    using alembic::SqlOrigin;
    const auto* ran = checks::ran_sql(context_);
    if (ran == nullptr || sql.failures.empty()) return sql.statements;
    std::multimap<size_t, std::string> stopped_at;
    for (const alembic::OfflineFailure& failure : sql.failures) {
      if (ran->contains(failure.revision) && ran_instead.insert(failure.revision).second)
        stopped_at.emplace(std::min(failure.at, sql.statements.size()), failure.revision);
    }
    std::vector<alembic::EmittedSql> out;
    for (size_t i = 0; i <= sql.statements.size(); ++i) {
      auto [first, last] = stopped_at.equal_range(i);
      for (auto it = first; it != last; ++it) {
        for (const RanStatement& statement : ran->at(it->second)) {
          out.push_back({.sql = statement.sql,
                         .revision = it->second,
                         .origin = statement.line > 0 ? SqlOrigin::revision : SqlOrigin::alembic,
                         .line = statement.line});
        }
      }
      if (i == sql.statements.size()) break;
      const alembic::EmittedSql& emitted = sql.statements[i];
      bool replaced =
          emitted.origin == SqlOrigin::revision && ran_instead.contains(emitted.revision);
      if (!replaced) out.push_back(emitted);
    }
    return out;
  }

  Finding revision_failed(const alembic::OfflineFailure& failure, bool ran_online) const {
    Finding finding = located(
        "offline-revision-failed",
        ran_online
            ? fmt::format("upgrade() of {} raised in offline mode ({}): the SQL rules judged what "
                          "it ran online in the roundtrip's scratch database instead",
                          failure.revision, first_line(failure.error.message))
            : fmt::format("upgrade() of {} raised in offline mode, so the SQL rules did not see "
                          "what it runs from here on: {}",
                          failure.revision, first_line(failure.error.message)),
        failure.error);
    finding.revision = failure.revision;
    if (ran_online) {
      finding.help =
          "nothing went unjudged: its SQL rules read what it ran online. For `alembic upgrade "
          "--sql` to render it too, guard the reads with `if not context.is_offline_mode():`";
    }
    return finding;
  }

  static std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

  const checks::CheckContext& context_;
  const RevisionSources& sources_;
  std::set<std::string> in_scope_;
  std::vector<std::string> scope_order_;  ///< in_scope_ in upgrade order.
  bool review_;
};

}  // namespace

SqlLint lint_sql(const checks::CheckContext& context, const std::vector<std::string>& revisions,
                 const RevisionSources& sources, bool review) {
  if (revisions.empty()) return {};
  return OfflineLint(context, revisions, sources, review).run();
}

}  // namespace ag::checks::lint
