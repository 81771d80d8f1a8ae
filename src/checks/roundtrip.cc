#include "checks/roundtrip.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <optional>

#include "alembic/error_summary.h"
#include "checks/fingerprint_queue.h"
#include "pg/fingerprint.h"
#include "pg/snapshot.h"
#include "pg/snapshot_diff.h"
#include "util/stopwatch.h"
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
    if (!load_revisions() || !start_fingerprints() || !open_session(worker_))
      return std::move(outcome_);
    context_.log(fmt::format("roundtrip: {} revisions, up, down and up again, one at a time",
                             revisions_.size()));
    if (upgrade_all()) {
      size_t applied = downgrade_all();
      if (session_open_ && upgrade_again(applied)) close_session(worker_);
    }
    settle_fingerprints();
    context_.log(fmt::format(
        "roundtrip: {} steps in {:.2f} s; {} catalog fingerprints ({} of them reading the whole "
        "catalog, the others what steps locked) computed alongside them in {:.2f} s, {:.2f} s of "
        "it waited for",
        cost_.steps, cost_.step_seconds, fingerprints_->count(), fingerprints_->whole_reads(),
        fingerprints_->compute_seconds(), fingerprints_->wait_seconds()));
    explain_suspects();
    flag_slow_revisions();
    return std::move(outcome_);
  }

 private:
  const CheckContext& context_;
  Sandbox& sandbox_;
  alembic::Worker& worker_;
  std::vector<RevisionInfo> revisions_;
  std::optional<FingerprintQueue> fingerprints_;
  /// before_[i]: the catalog before revision i's upgrade (once computed).
  std::vector<std::optional<pg::Fingerprint>> before_;
  bool catalog_broken_ = false;  ///< A fingerprint could not be taken (reported once).
  /// Revisions after whose downgrade the fingerprint differed from before_ otherwise than after
  /// the previous downgrade: explained (or found equal after all) by explain_suspects().
  std::vector<size_t> suspects_;
  /// The difference from before_ after the last downgrade compared (zero: none).
  pg::Fingerprint left_over_;
  /// The relations the steps since the last fingerprint locked (nullopt: unknown, read all).
  std::optional<std::vector<uint32_t>> locked_since_fingerprint_;
  std::string log_tail_;
  bool session_open_ = true;  ///< False once a failed step ended the session for good.
  CheckOutcome outcome_;
  struct {
    int steps = 0;
    double step_seconds = 0;
  } cost_;  ///< Where the time went, for the log (and fingerprints_'s own figures).

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
    before_.resize(revisions_.size());
    outcome_.timings.resize(revisions_.size());
    for (size_t i = 0; i < revisions_.size(); ++i) outcome_.timings[i].revision = revisions_[i].id;
    return true;
  }

  // The fingerprint of each state is pinned (its snapshot taken) as soon as the state is
  // reached and computed while the next steps run, on one of two connections.

  bool upgrade_all() {
    for (size_t i = 0; i < revisions_.size(); ++i) {
      if (!fingerprint(i)) return false;
      Result<alembic::StepDone> done = step(i, Direction::up, Watch::locks);
      if (!done) {
        step_failed("upgrade-failed", i, Direction::up, done.error(), "upgrade to {}");
        return false;
      }
      outcome_.timings[i].upgrade_seconds = done->seconds;
    }
    return true;
  }

  /// Returns how many revisions are still applied when the downgrades stop.
  size_t downgrade_all() {
    size_t applied = revisions_.size();
    while (applied > 0) {
      size_t i = applied - 1;
      if (revisions_[i].id == context_.settings.minimum_downgrade_revision) break;
      Result<alembic::StepDone> done = step(i, Direction::down, Watch::locks);
      if (!done) {
        session_open_ = downgrade_failed(i, done.error());
        break;
      }
      outcome_.timings[i].downgrade_seconds = done->seconds;
      applied = i;
      if (!fingerprint(after_downgrade(i))) break;
    }
    return applied;
  }

  bool start_fingerprints() {
    Result<pg::Connection*> second = sandbox_.second_catalog();
    if (!second) {
      broken(second.error());
      return false;
    }
    fingerprints_.emplace(std::vector<pg::Connection*>{&sandbox_.catalog(), *second});
    return true;
  }

  /// A fingerprint's tag: i for the state before revision i's upgrade (before_[i]); this for the
  /// state after its downgrade.
  size_t after_downgrade(size_t index) const { return revisions_.size() + index; }

  /// Fingerprints the database as it is now (`tag`), meanwhile taking in the ones computed.
  /// Returns false once one could not be taken (reported).
  bool fingerprint(size_t tag) {
    std::vector<FingerprintQueue::Done> done;
    Status pushed = fingerprints_->push(
        tag, std::exchange(locked_since_fingerprint_, std::vector<uint32_t>{}), done);
    if (!pushed) fail_catalog(pushed.error());
    return take(done) && !catalog_broken_;
  }

  /// Waits for the fingerprints still being computed and takes them in.
  void settle_fingerprints() {
    std::vector<FingerprintQueue::Done> done;
    fingerprints_->drain(done);
    take(done);
  }

  /// Keeps the fingerprints taken before upgrades; compares those taken after downgrades with
  /// them, a new difference making the revision a suspect. Returns false once one failed.
  bool take(std::vector<FingerprintQueue::Done>& done) {
    for (FingerprintQueue::Done& taken : done) {
      if (!taken.fingerprint) fail_catalog(taken.fingerprint.error());
      if (catalog_broken_) return false;
      if (taken.tag < revisions_.size()) {
        before_[taken.tag] = std::move(*taken.fingerprint);
        continue;
      }
      // What a downgrade leaves behind shows again after each earlier one (until one drops it),
      // as the same difference: only a downgrade that changes it is replayed to be explained.
      size_t index = taken.tag - revisions_.size();
      pg::Fingerprint difference = taken.fingerprint->minus(*before_[index]);
      if (difference != pg::Fingerprint{} && difference != left_over_) suspects_.push_back(index);
      left_over_ = difference;
    }
    return true;
  }

  void fail_catalog(const Error& error) {
    if (!std::exchange(catalog_broken_, true)) broken(error);
  }

  bool upgrade_again(size_t applied) {
    for (size_t i = applied; i < revisions_.size(); ++i) {
      Result<alembic::StepDone> done = step(i, Direction::up, Watch::nothing);
      if (!done) {
        step_failed("reupgrade-failed", i, Direction::up, done.error(),
                    "upgrade to {}, run again after the downgrades,");
        return false;
      }
    }
    return true;
  }

  // -- explaining a difference: each suspect revision again, alone, in a clean sandbox -------

  void explain_suspects() {
    if (suspects_.empty()) return;
    std::sort(suspects_.begin(), suspects_.end());
    std::map<size_t, std::vector<std::string>> lines;
    Status rebuilt = rebuild_and_diff(lines);
    if (!rebuilt)
      context_.log("roundtrip: cannot explain the differences: " + rebuilt.error().describe());
    // A suspect whose own upgrade and downgrade leave the catalog as it was was only told apart
    // by what fingerprints within one database also see (a column's number, a recreated object's
    // OID) or by what a later revision's downgrade left (reported at that revision).
    size_t traces = 0;
    for (size_t index : suspects_) {
      auto explained = lines.find(index);
      if (explained == lines.end() ? !rebuilt : !explained->second.empty()) {
        report_trace(index,
                     explained == lines.end() ? std::vector<std::string>{} : explained->second);
        ++traces;
      }
    }
    context_.log(fmt::format(
        "roundtrip: {} downgrade(s) left the catalog fingerprint different in a way of their "
        "own; replayed alone in a clean database, {} left a trace",
        suspects_.size(), traces));
  }

  /// In a clean sandbox, upgrades up to each suspect, then compares the catalog before its
  /// upgrade with the one after its upgrade and downgrade, and upgrades it again to go on.
  Status rebuild_and_diff(std::map<size_t, std::vector<std::string>>& lines) {
    Result<std::unique_ptr<Sandbox>> clean = context_.workspace.open_another();
    if (!clean) return clean.error();
    alembic::Worker& worker = (*clean)->worker();
    if (Result<std::vector<std::string>> heads = worker.open(); !heads) return heads.error();
    auto move = [&](size_t index, Direction direction) -> Status {
      const RevisionInfo& revision = revisions_[index];
      Result<alembic::StepDone> done = worker.step(revision.id, direction, skipped(revision));
      if (!done) return done.error();
      return ok();
    };
    size_t applied = 0;
    for (size_t suspect : suspects_) {
      for (; applied < suspect; ++applied) {
        if (Status moved = move(applied, Direction::up); !moved) return moved;
      }
      Result<pg::Snapshot> before = pg::take_snapshot((*clean)->catalog());
      if (!before) return before.error();
      for (Direction direction : {Direction::up, Direction::down}) {
        if (Status moved = move(suspect, direction); !moved) return moved;
      }
      Result<pg::Snapshot> after = pg::take_snapshot((*clean)->catalog());
      if (!after) return after.error();
      lines[suspect] =
          pg::diff_snapshots(*before, *after, {"before the upgrade", "after the downgrade"});
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

  // -- steps and their failures ------------------------------------------------------------------

  bool skipped(const RevisionInfo& revision) const {
    const std::vector<std::string>& skip = context_.settings.skip_revisions;
    return std::find(skip.begin(), skip.end(), revision.id) != skip.end();
  }

  /// What a step tells besides its outcome: which relations it locked, for the next fingerprint.
  enum class Watch { nothing, locks };

  Result<alembic::StepDone> step(size_t index, Direction direction, Watch watch) {
    const RevisionInfo& revision = revisions_[index];
    Stopwatch stopwatch;
    Result<alembic::StepDone> done =
        worker_.step(revision.id, direction, skipped(revision), watch == Watch::locks);
    cost_.step_seconds += stopwatch.seconds();
    ++cost_.steps;
    keep_log_tail(worker_.take_log());
    if (done && watch == Watch::locks) add_locked(done->locked);
    return done;
  }

  void add_locked(const std::optional<std::vector<uint32_t>>& locked) {
    if (!locked)
      locked_since_fingerprint_.reset();
    else if (locked_since_fingerprint_)
      locked_since_fingerprint_->insert(locked_since_fingerprint_->end(), locked->begin(),
                                        locked->end());
  }

  /// What Alembic and the project printed lately: shown when a step fails, never unbounded.
  void keep_log_tail(const std::string& text) {
    log_tail_ += text;
    if (log_tail_.size() > kLogTail) log_tail_.erase(0, log_tail_.size() - kLogTail);
  }

  bool open_session(alembic::Worker& worker) {
    Result<std::vector<std::string>> heads = worker.open();
    if (heads) return true;
    log_detail(heads.error());
    if (alembic::is_alembic_incompatibility(heads.error())) {
      broken(heads.error());
      return false;
    }
    add_error("env-failed", from_error(heads.error(), {}),
              "env.py failed: " + alembic::summarize_error(heads.error().message),
              "run `alembic upgrade head` locally against an empty database to reproduce");
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
    // The worker died, or this Alembic lacks what the worker relies on: not the migration's fault.
    if ((!worker_.running() && !worker_.timed_out()) ||
        alembic::is_alembic_incompatibility(error)) {
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
