#include "checks/roundtrip.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "alembic/error_summary.h"
#include "pg/fingerprint.h"
#include "pg/snapshot.h"
#include "pg/snapshot_diff.h"
#include "util/text.h"

namespace ag::checks {
namespace {

using alembic::Direction;
using alembic::RevisionInfo;

constexpr std::string_view kCheck = "roundtrip";
constexpr size_t kLogTail = 64 * 1024;

constexpr RuleInfo kRules[] = {
    {"upgrade-failed", "roundtrip", Severity::error, "An upgrade raises on an empty database.",
     "The migration fails when run from base on a fresh PostgreSQL database: the deploy that runs "
     "it would fail the same way. The finding carries the database's message and SQLSTATE.",
     "Reproduce with `alembic upgrade REVISION` on an empty database and fix the failing "
     "operation."},
    {"downgrade-failed", "roundtrip", Severity::error, "A downgrade raises.",
     "Rolling this revision back fails, so a bad deploy cannot be undone with "
     "`alembic downgrade`.",
     "Reproduce with `alembic downgrade REVISION-1` right after upgrading to it, and fix the "
     "downgrade."},
    {"downgrade-leaves-trace", "roundtrip", Severity::error,
     "A downgrade does not undo its upgrade.",
     "After the downgrade the database catalog differs from the one before the upgrade (a table, "
     "column, index, constraint, type or privilege left behind or missing), so upgrading again or "
     "deploying an older release meets a database it does not expect.",
     "Make the downgrade drop or restore exactly what the upgrade changed; the finding lists the "
     "differences."},
    {"reupgrade-failed", "roundtrip", Severity::error,
     "An upgrade fails when run again after the downgrades.",
     "The downgrades left something behind that the catalog comparison cannot see (a role, data "
     "in another database) and the same upgrade no longer runs a second time.",
     "Make the downgrade remove what the upgrade creates, including cluster-wide objects."},
    {"step-timeout", "roundtrip", Severity::error,
     "A migration step runs longer than step-timeout.",
     "A step that waits on a lock, sleeps or loops hangs deploys too; it was stopped.",
     "Find what the step waits for; raise step-timeout only if it is really that slow."},
    {"env-failed", "roundtrip", Severity::error, "env.py raises.",
     "The project's env.py fails before any migration runs (an import error, a missing setting, "
     "its own transaction around the migrations), so no Alembic command works.",
     "Run `alembic upgrade head` locally against an empty database to reproduce."},
    {"revision-unloadable", "roundtrip", Severity::error, "Python cannot import a revision file.",
     "Alembic imports every revision file before running anything; one that raises (a syntax "
     "error, a failing import) breaks every command.",
     "Fix the file at the line Python reports."},
    {"downgrade-not-implemented", "roundtrip", Severity::warning,
     "A downgrade raises NotImplementedError.",
     "A deliberate one-way migration: downgrades stop there, so older releases cannot be "
     "restored past it.",
     "Keep it if the migration truly cannot be undone; otherwise write the downgrade."},
    {"slow-migration", "roundtrip", Severity::warning,
     "An upgrade or downgrade is slower than slow-migration-ms.",
     "Already slow on an empty scratch database; on a production-sized table it takes longer and "
     "may hold locks meanwhile.",
     "Batch the data changes, or build indexes concurrently."},
};

/// A downgrade after which the catalog differs from the one before that revision's upgrade.
struct Trace {
  size_t index = 0;    ///< Of the revision in upgrade order.
  pg::Snapshot after;  ///< Taken right after the downgrade.
};

struct Place {
  std::string file;
  int line = 0;
};

class RoundTrip {
 public:
  RoundTrip(const CheckContext& context, Sandbox& sandbox)
      : context_(context), sandbox_(sandbox), worker_(sandbox.worker()) {
    outcome_.name = std::string(kCheck);
  }

  CheckOutcome run() {
    if (!load_revisions() || !open_session(worker_)) return std::move(outcome_);
    context_.log(fmt::format("roundtrip: {} revisions, up, down and up again, one at a time",
                             revisions_.size()));
    if (upgrade_all()) {
      size_t applied = downgrade_all();
      if (session_open_ && upgrade_again(applied)) close_session(worker_);
    }
    context_.log(fmt::format("roundtrip: {} steps in {:.2f} s, {} catalog fingerprints in {:.2f} s",
                             cost_.steps, cost_.step_seconds, cost_.fingerprints,
                             cost_.fingerprint_seconds));
    explain_traces();
    flag_slow_revisions();
    return std::move(outcome_);
  }

 private:
  const CheckContext& context_;
  Sandbox& sandbox_;
  alembic::Worker& worker_;
  std::vector<RevisionInfo> revisions_;
  std::vector<pg::Fingerprint> before_;  ///< before_[i]: the catalog before revision i's upgrade.
  std::vector<Trace> traces_;
  std::string log_tail_;
  bool session_open_ = true;  ///< False once a failed step ended the session for good.
  CheckOutcome outcome_;
  struct {
    int steps = 0, fingerprints = 0;
    double step_seconds = 0, fingerprint_seconds = 0;
  } cost_;  ///< Where the time went, for the log.

  // -- the three passes ------------------------------------------------------------------------

  bool load_revisions() {
    Result<std::vector<RevisionInfo>> revisions = worker_.revisions();
    if (!revisions) {
      add_error("revision-unloadable", from_error(revisions.error(), {}),
                "Alembic cannot load the revision files: " +
                    alembic::summarize_error(revisions.error().message),
                "");
      log_detail(revisions.error());
      return false;
    }
    revisions_ = std::move(*revisions);
    outcome_.timings.resize(revisions_.size());
    for (size_t i = 0; i < revisions_.size(); ++i) outcome_.timings[i].revision = revisions_[i].id;
    return true;
  }

  bool upgrade_all() {
    if (!record_fingerprint()) return false;
    for (size_t i = 0; i < revisions_.size(); ++i) {
      Result<alembic::StepDone> done = step(i, Direction::up);
      if (!done) {
        step_failed("upgrade-failed", i, Direction::up, done.error(), "upgrade to {}");
        return false;
      }
      outcome_.timings[i].upgrade_seconds = done->seconds;
      if (!record_fingerprint()) return false;
    }
    return true;
  }

  /// Returns how many revisions are still applied when the downgrades stop.
  size_t downgrade_all() {
    size_t applied = revisions_.size();
    while (applied > 0) {
      size_t i = applied - 1;
      if (revisions_[i].id == context_.settings.minimum_downgrade_revision) break;
      Result<alembic::StepDone> done = step(i, Direction::down);
      if (!done) {
        session_open_ = downgrade_failed(i, done.error());
        break;
      }
      outcome_.timings[i].downgrade_seconds = done->seconds;
      applied = i;
      Result<pg::Fingerprint> now = fingerprint();
      if (!now) {
        broken(now.error());
        break;
      }
      if (*now != before_[i]) keep_trace(i);
    }
    return applied;
  }

  bool upgrade_again(size_t applied) {
    for (size_t i = applied; i < revisions_.size(); ++i) {
      Result<alembic::StepDone> done = step(i, Direction::up);
      if (!done) {
        step_failed("reupgrade-failed", i, Direction::up, done.error(),
                    "upgrade to {}, run again after the downgrades,");
        return false;
      }
    }
    return true;
  }

  // -- explaining a difference: a clean sandbox rebuilt up to the state before the revision ---

  void explain_traces() {
    if (traces_.empty()) return;
    std::sort(traces_.begin(), traces_.end(),
              [](const Trace& a, const Trace& b) { return a.index < b.index; });
    std::map<size_t, std::vector<std::string>> lines;
    Status rebuilt = rebuild_and_diff(lines);
    if (!rebuilt)
      context_.log("roundtrip: cannot explain the differences: " + rebuilt.error().describe());
    // Later revisions are downgraded first; what they leave behind shows again in every earlier
    // comparison, so each revision is blamed only for what is new.
    std::set<std::string> seen;
    for (auto trace = traces_.rbegin(); trace != traces_.rend(); ++trace) {
      std::vector<std::string> own;
      for (const std::string& line : lines[trace->index]) {
        if (seen.insert(line).second) own.push_back(line);
      }
      if (!own.empty() || !rebuilt) report_trace(trace->index, own);
    }
  }

  Status rebuild_and_diff(std::map<size_t, std::vector<std::string>>& lines) {
    Result<std::unique_ptr<Sandbox>> clean = context_.workspace.open_another();
    if (!clean) return clean.error();
    alembic::Worker& worker = (*clean)->worker();
    if (Result<std::vector<std::string>> heads = worker.open(); !heads) return heads.error();
    size_t applied = 0;
    for (const Trace& trace : traces_) {
      for (; applied < trace.index; ++applied) {
        const RevisionInfo& revision = revisions_[applied];
        if (Result<alembic::StepDone> done =
                worker.step(revision.id, Direction::up, skipped(revision));
            !done) {
          return done.error();
        }
      }
      Result<pg::Snapshot> before = pg::take_snapshot((*clean)->catalog());
      if (!before) return before.error();
      lines[trace.index] =
          pg::diff_snapshots(*before, trace.after, {"before the upgrade", "after the downgrade"});
    }
    return worker.close();
  }

  void report_trace(size_t index, const std::vector<std::string>& differences) {
    std::string what = differences.empty() ? "the catalog differs from the one before its upgrade"
                                           : fmt::format("{}", fmt::join(differences, "; "));
    add_error("downgrade-leaves-trace", definition(index, Direction::down),
              fmt::format("downgrade of {} leaves a trace: {}", describe(index), what),
              "make downgrade() undo every change upgrade() makes (drop what it creates, restore "
              "what it drops or alters)");
  }

  void keep_trace(size_t index) {
    Result<pg::Snapshot> after = pg::take_snapshot(sandbox_.catalog());
    if (!after) return broken(after.error());
    traces_.push_back({index, std::move(*after)});
  }

  // -- steps and their failures ------------------------------------------------------------------

  bool skipped(const RevisionInfo& revision) const {
    const std::vector<std::string>& skip = context_.settings.skip_revisions;
    return std::find(skip.begin(), skip.end(), revision.id) != skip.end();
  }

  Result<alembic::StepDone> step(size_t index, Direction direction) {
    const RevisionInfo& revision = revisions_[index];
    auto start = std::chrono::steady_clock::now();
    Result<alembic::StepDone> done = worker_.step(revision.id, direction, skipped(revision));
    cost_.step_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++cost_.steps;
    keep_log_tail(worker_.take_log());
    return done;
  }

  /// What Alembic and the project printed lately: shown when a step fails, never unbounded.
  void keep_log_tail(const std::string& text) {
    log_tail_ += text;
    if (log_tail_.size() > kLogTail) log_tail_.erase(0, log_tail_.size() - kLogTail);
  }

  bool open_session(alembic::Worker& worker) {
    Result<std::vector<std::string>> heads = worker.open();
    if (heads) return true;
    add_error("env-failed", from_error(heads.error(), {}),
              "env.py failed: " + alembic::summarize_error(heads.error().message),
              "run `alembic upgrade head` locally against an empty database to reproduce");
    log_detail(heads.error());
    return false;
  }

  void close_session(alembic::Worker& worker) {
    if (Status closed = worker.close(); !closed) {
      add_error(
          "env-failed", from_error(closed.error(), {}),
          "env.py failed while finishing: " + alembic::summarize_error(closed.error().message), "");
    }
  }

  /// Reports the failed downgrade; returns whether a session is open again for the last pass.
  bool downgrade_failed(size_t index, const Error& error) {
    if (error.message.starts_with("NotImplementedError")) {
      add(Severity::warning, "downgrade-not-implemented",
          from_error(error, definition(index, Direction::down)),
          fmt::format("downgrade of {} raises NotImplementedError: a deliberate one-way migration; "
                      "downgrades stop here",
                      describe(index)),
          "");
    } else {
      step_failed("downgrade-failed", index, Direction::down, error, "downgrade of {}");
    }
    return worker_.running() && open_session(worker_);  // a failed step ends the session
  }

  void step_failed(std::string_view rule, size_t index, Direction direction, const Error& error,
                   fmt::format_string<std::string> what) {
    std::string subject = fmt::format(what, describe(index));
    log_detail(error);
    if (!worker_.running() && !worker_.timed_out()) {  // the worker died: not the migration's fault
      broken(error);
      return;
    }
    if (worker_.timed_out()) {
      add_error("step-timeout", definition(index, direction),
                fmt::format("{} did not finish within step-timeout ({} s) and was stopped", subject,
                            context_.settings.step_timeout),
                "a migration that waits on a lock or sleeps hangs deploys too; raise step-timeout "
                "only if it is really that slow");
      return;
    }
    add_error(
        rule, from_error(error, definition(index, direction)),
        fmt::format("{} failed: {}", subject, alembic::summarize_error(error.message)),
        fmt::format(
            "reproduce with `alembic {} {}`", direction == Direction::up ? "upgrade" : "downgrade",
            direction == Direction::up ? revisions_[index].id : revisions_[index].id + "-1"));
  }

  void flag_slow_revisions() {
    double limit = context_.settings.slow_migration_ms / 1000.0;
    for (size_t i = 0; i < outcome_.timings.size(); ++i) {
      const RevisionTiming& timing = outcome_.timings[i];
      for (auto [seconds, direction] : {std::pair{timing.upgrade_seconds, Direction::up},
                                        std::pair{timing.downgrade_seconds, Direction::down}}) {
        if (seconds <= limit) continue;
        add(Severity::warning, "slow-migration", definition(i, direction),
            fmt::format("{} of {} took {:.1f} s on an empty database (slow-migration-ms is {})",
                        direction == Direction::up ? "upgrade" : "downgrade", describe(i), seconds,
                        context_.settings.slow_migration_ms),
            "on a production-sized table it will take longer; consider batching it");
      }
    }
  }

  bool record_fingerprint() {
    Result<pg::Fingerprint> taken = fingerprint();
    if (!taken) {
      broken(taken.error());
      return false;
    }
    before_.push_back(std::move(*taken));
    return true;
  }

  Result<pg::Fingerprint> fingerprint() {
    auto start = std::chrono::steady_clock::now();
    Result<pg::Fingerprint> taken = pg::take_fingerprint(sandbox_.catalog());
    cost_.fingerprint_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++cost_.fingerprints;
    return taken;
  }

  // -- findings
  // ------------------------------------------------------------------------------------

  /// `abc123 ("add users")`.
  std::string describe(size_t index) const {
    const RevisionInfo& revision = revisions_[index];
    return revision.doc.empty() ? revision.id
                                : fmt::format("{} (\"{}\")", revision.id, revision.doc);
  }

  /// The line of `def upgrade` or `def downgrade` in the revision's file.
  Place definition(size_t index, Direction direction) const {
    const RevisionInfo& revision = revisions_[index];
    const graph::Revision* read = context_.graph.find(revision.id);
    if (read == nullptr) return {context_.project.relative(revision.path), 0};
    const graph::RevisionScript& script = context_.graph.scripts()[read->script];
    int line = direction == Direction::up ? script.upgrade_line : script.downgrade_line;
    return {context_.project.relative(script.path), line};
  }

  Place from_error(const Error& error, Place fallback) const {
    if (error.where.empty()) return fallback;
    return {context_.project.relative(error.where), error.line};
  }

  void add(Severity severity, std::string_view rule, const Place& place, std::string message,
           std::string help) {
    outcome_.findings.push_back({std::string(kCheck), std::string(rule), severity,
                                 std::move(message), place.file, place.line, place.line, "",
                                 std::move(help)});
  }

  void add_error(std::string_view rule, const Place& place, std::string message, std::string help) {
    add(Severity::error, rule, place, std::move(message), std::move(help));
  }

  void log_detail(const Error& error) {
    keep_log_tail(worker_.take_log());
    if (!log_tail_.empty()) context_.log(std::exchange(log_tail_, {}));
    if (!error.detail.empty()) context_.log(error.detail);
  }

  void broken(const Error& error) {
    CheckOutcome failure = infrastructure_failure(kCheck, error);
    outcome_.status = CheckStatus::error;
    outcome_.findings.insert(outcome_.findings.end(), failure.findings.begin(),
                             failure.findings.end());
  }
};

}  // namespace

CheckOutcome check_roundtrip(const CheckContext& context) {
  Result<Sandbox*> sandbox = context.workspace.shared();
  if (!sandbox) return infrastructure_failure(kCheck, sandbox.error());
  return RoundTrip(context, **sandbox).run();
}

std::span<const RuleInfo> roundtrip_rules() {
  return kRules;
}

}  // namespace ag::checks
