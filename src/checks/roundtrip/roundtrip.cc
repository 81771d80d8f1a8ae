#include "checks/roundtrip/roundtrip.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <optional>

#include "alembic/error_summary.h"
#include "catalog/catalog_facts.h"
#include "catalog/catalog_state.h"
#include "util/stopwatch.h"
#include "util/text.h"

namespace ag::checks::roundtrip {
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
     "Rolling this revision back right after its upgrade fails, so a bad deploy cannot be undone "
     "with `alembic downgrade`. Each revision's downgrade runs on its own, on the database its "
     "upgrade just made: one that only works after a later revision's downgrade fails here.",
     "Reproduce with `alembic upgrade REVISION` then `alembic downgrade REVISION-1`, and fix the "
     "downgrade."},
    {"downgrade-leaves-trace", "roundtrip", Severity::error,
     "A downgrade does not undo its upgrade.",
     "Right after the revision's upgrade and downgrade the database schema differs from the one "
     "before the upgrade (a table, column, default, index, constraint or its actions, sequence, "
     "type, enum label, view, function, comment or privilege left behind, missing or changed), "
     "so upgrading again or deploying an older release meets a database it does not expect. "
     "Column order is not compared: Alembic cannot put a restored column back in its place.",
     "Make the downgrade drop or restore exactly what the upgrade changed; the finding lists the "
     "differences."},
    {"reupgrade-failed", "roundtrip", Severity::error,
     "An upgrade fails when run again after its downgrade.",
     "The downgrade left something behind that the schema comparison does not cover (rows, a "
     "role, data in another database) and the same upgrade no longer runs a second time.",
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
     "restored past it. The revisions after it are still judged.",
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

const catalog::DiffSides kTraceSides{"before the upgrade", "after the downgrade"};

/// Each revision, in upgrade order, on its own: from the state its predecessors left, its
/// upgrade, then its downgrade and the upgrade again in a savepoint that is rolled back (the
/// worker's `roundtrip` step), so that whatever the downgrade did, the next revision starts from
/// the state the upgrade made. The catalog read after the downgrade is compared with the one
/// before the upgrade: a trace, a failing downgrade or a failing second upgrade is that
/// revision's alone.
class RoundTrip {
 public:
  RoundTrip(const CheckContext& context, sandbox::Sandbox& sandbox)
      : context_(context), worker_(&sandbox.worker()) {
    outcome_.name = std::string(kCheck);
  }

  CheckOutcome run() {
    if (!load_revisions() || !open_session(*worker_)) return std::move(outcome_);
    context_.log(fmt::format(
        "roundtrip: {} revisions, each upgraded, downgraded and upgraded again on its own",
        revisions_.size()));
    Stopwatch stopwatch;
    size_t judged = 0;
    while (judged < revisions_.size() && roundtrip(judged)) ++judged;
    if (session_open_) close_session(*worker_);
    context_.log(fmt::format(
        "roundtrip: {} of {} revisions judged in {:.2f} s; {} catalog readings of what a step "
        "touched, {} of the whole catalog",
        judged, revisions_.size(), stopwatch.seconds(), readings_.touched, readings_.whole));
    if (judged + 1 < revisions_.size())
      context_.log(fmt::format("roundtrip: the {} revisions after {} were not judged",
                               revisions_.size() - judged - 1, revisions_[judged].id));
    flag_slow_revisions();
    return std::move(outcome_);
  }

 private:
  const CheckContext& context_;
  alembic::Worker* worker_;  ///< The shared sandbox's, renewed after a state no upgrade makes.
  std::vector<RevisionInfo> revisions_;
  /// Revisions up to this index are not downgraded (minimum-downgrade-revision).
  std::optional<size_t> last_kept_;
  catalog::CatalogState catalog_;  ///< The state the steps so far left.
  bool catalog_known_ = false;
  bool functions_defined_ = false;  ///< The reading functions exist in the worker's session.
  std::string log_tail_;
  bool session_open_ = true;  ///< False once a failed step ended the session for good.
  CheckOutcome outcome_;
  struct {
    int touched = 0;
    int whole = 0;
  } readings_;  ///< How the catalog was read, for the log.

  bool load_revisions() {
    Result<std::vector<RevisionInfo>> revisions = worker_->revisions();
    if (!revisions) {
      add_error("revision-unloadable", from_error(revisions.error(), {}), "",
                "Alembic cannot load the revision files: " +
                    alembic::summarize_error(revisions.error().message),
                "");
      log_detail(revisions.error());
      return false;
    }
    revisions_ = std::move(*revisions);
    outcome_.timings.resize(revisions_.size());
    for (size_t i = 0; i < revisions_.size(); ++i) {
      outcome_.timings[i].revision = revisions_[i].id;
      if (revisions_[i].id == context_.settings.minimum_downgrade_revision) last_kept_ = i;
    }
    return true;
  }

  /// Revision `index`'s step. Returns whether the next revision can be judged: the database is
  /// then in the state this revision's upgrade made.
  bool roundtrip(size_t index) {
    const RevisionInfo& revision = revisions_[index];
    alembic::RoundTripRequest request{
        .revision = revision.id,
        .stamp = skipped(revision),
        .trio = !skipped(revision) && (!last_kept_ || index > *last_kept_),
        .read_before = !catalog_known_,
        .define = {}};
    if (!functions_defined_ && !request.stamp) request.define = reading_functions();
    Result<alembic::RoundTripDone> done = worker_->roundtrip(request);
    keep_log_tail(worker_->take_log());
    if (!done) {
      session_open_ = false;  // a failed step ends the session
      step_failed("upgrade-failed", index, Direction::up, done.error(), "upgrade to {}");
      return false;
    }
    if (request.stamp) return true;
    functions_defined_ = true;
    outcome_.timings[index].upgrade_seconds = done->up_seconds;
    if (request.trio && !done->down_error)
      outcome_.timings[index].downgrade_seconds = done->down_seconds;
    if (done->before && !take_reading(*done->before)) return false;
    bool trace = judge(index, *done);
    if (done->state == alembic::TripState::unknown) {
      session_open_ = false;
      return rebuilt(index, "its downgrade or second upgrade failed after it committed");
    }
    if (!done->after || !take_reading(*done->after)) return false;
    if (done->state == alembic::TripState::reupgraded && trace)
      return rebuilt(index, "its downgrade left a trace after it committed");
    return true;
  }

  /// The pg_temp functions the worker reads the catalog with, defined once per session.
  static std::vector<std::string> reading_functions() {
    catalog::SnapshotOptions options;
    return {catalog::relation_facts_function(options, "ag_read_whole", false),
            catalog::relation_facts_function(options, "ag_read_touched", true)};
  }

  /// A revision that commits midway (autocommit_block) ends the savepoint the trio relies on:
  /// when it then fails or leaves a trace, the database is no longer one the upgrades make. The
  /// next revisions go on in a new scratch database, upgraded through `index` without checks.
  /// Returns whether it could be made (else the later revisions are not judged: said).
  bool rebuilt(size_t index, std::string_view why) {
    context_.log(fmt::format(
        "roundtrip: {} commits midway (autocommit_block), and {}: the next revisions go on in a "
        "new scratch database, upgraded to it",
        revisions_[index].id, why));
    if (session_open_) close_session(*worker_);
    Result<sandbox::Sandbox*> renewed = context_.workspace.renew_shared();
    if (!renewed) {
      broken(renewed.error());
      return false;
    }
    worker_ = &(*renewed)->worker();
    catalog_known_ = false;
    session_open_ = open_session(*worker_);
    for (size_t i = 0; session_open_ && i <= index; ++i) {
      Result<alembic::StepDone> done =
          worker_->step(revisions_[i].id, Direction::up, skipped(revisions_[i]));
      keep_log_tail(worker_->take_log());
      if (!done) {
        session_open_ = false;
        step_failed("upgrade-failed", i, Direction::up, done.error(), "upgrade to {}");
      }
    }
    return session_open_;
  }

  /// The downgrade's outcome and the second upgrade's. Returns whether a trace was found.
  bool judge(size_t index, const alembic::RoundTripDone& done) {
    bool trace = false;
    if (done.down_error) {
      downgrade_failed(index, *done.down_error);
    } else if (done.after_down) {
      std::optional<catalog::CatalogReading> reading = read(*done.after_down);
      if (!reading) return false;
      std::vector<std::string> lines = catalog_.differences(*reading, kTraceSides);
      trace = !lines.empty();
      if (trace) report_trace(index, lines);
    }
    if (done.reup_error)
      step_failed("reupgrade-failed", index, Direction::up, *done.reup_error,
                  "upgrade to {}, run again after its downgrade,");
    return trace;
  }

  /// Makes `rows` the catalog's state. Returns false when they cannot be read (reported).
  bool take_reading(const alembic::CatalogRows& rows) {
    std::optional<catalog::CatalogReading> reading = read(rows);
    if (!reading) return false;
    catalog_.apply(std::move(*reading));
    catalog_known_ = true;
    return true;
  }

  std::optional<catalog::CatalogReading> read(const alembic::CatalogRows& rows) {
    ++(rows.whole ? readings_.whole : readings_.touched);
    Result<catalog::CatalogReading> reading = catalog::read_catalog_rows(rows.rows, rows.whole);
    if (!reading) {
      broken(reading.error());
      return std::nullopt;
    }
    return std::move(*reading);
  }

  void report_trace(size_t index, const std::vector<std::string>& differences) {
    add_error("downgrade-leaves-trace", definition(index, Direction::down), revisions_[index].id,
              fmt::format("downgrade of {} leaves a trace: {}", describe(index),
                          fmt::join(differences, "; ")),
              "make downgrade() undo every change upgrade() makes (drop what it creates, restore "
              "what it drops or alters)");
  }

  // -- steps and their failures ------------------------------------------------------------------

  bool skipped(const RevisionInfo& revision) const {
    const std::vector<std::string>& skip = context_.settings.skip_revisions;
    return std::find(skip.begin(), skip.end(), revision.id) != skip.end();
  }

  /// What Alembic and the project printed lately: shown when a step fails, never unbounded.
  void keep_log_tail(const std::string& text) {
    log_tail_ += text;
    if (log_tail_.size() > kLogTail) log_tail_.erase(0, log_tail_.size() - kLogTail);
  }

  bool open_session(alembic::Worker& worker) {
    functions_defined_ = false;  // pg_temp lives as long as env.py's connection
    Result<std::vector<std::string>> heads = worker.open();
    if (heads) return true;
    log_detail(heads.error());
    if (alembic::is_alembic_incompatibility(heads.error())) {
      broken(heads.error());
      return false;
    }
    add_error("env-failed", from_error(heads.error(), {}), "",
              "env.py failed: " + alembic::summarize_error(heads.error().message),
              "run `alembic upgrade head` locally against an empty database to reproduce");
    return false;
  }

  void close_session(alembic::Worker& worker) {
    if (Status closed = worker.close(); !closed) {
      add_error(
          "env-failed", from_error(closed.error(), {}), "",
          "env.py failed while finishing: " + alembic::summarize_error(closed.error().message), "");
    }
  }

  void downgrade_failed(size_t index, const Error& error) {
    if (error.message.starts_with("NotImplementedError")) {
      log_detail(error);
      add(Severity::warning, "downgrade-not-implemented",
          from_error(error, definition(index, Direction::down)), revisions_[index].id,
          fmt::format("downgrade of {} raises NotImplementedError: a deliberate one-way migration",
                      describe(index)),
          "");
      return;
    }
    step_failed("downgrade-failed", index, Direction::down, error, "downgrade of {}");
  }

  void step_failed(std::string_view rule, size_t index, Direction direction, const Error& error,
                   fmt::format_string<std::string> what) {
    std::string subject = fmt::format(what, describe(index));
    log_detail(error);
    // The worker died, or this Alembic lacks what the worker relies on: not the migration's fault.
    if ((!worker_->running() && !worker_->timed_out()) ||
        alembic::is_alembic_incompatibility(error)) {
      broken(error);
      return;
    }
    const std::string& id = revisions_[index].id;
    if (worker_->timed_out()) {
      add_error("step-timeout", definition(index, direction), id,
                fmt::format("{} did not finish within step-timeout ({} s) and was stopped", subject,
                            context_.settings.step_timeout),
                "a migration that waits on a lock or sleeps hangs deploys too; raise step-timeout "
                "only if it is really that slow");
      return;
    }
    add_error(rule, from_error(error, definition(index, direction)), id,
              fmt::format("{} failed: {}", subject, alembic::summarize_error(error.message)),
              reproduce(rule, id));
  }

  /// The Alembic commands that reproduce a failure, from the state before the revision.
  static std::string reproduce(std::string_view rule, const std::string& id) {
    if (rule == "downgrade-failed")
      return fmt::format("reproduce with `alembic upgrade {0}` then `alembic downgrade {0}-1`", id);
    if (rule == "reupgrade-failed")
      return fmt::format(
          "reproduce with `alembic upgrade {0}`, `alembic downgrade {0}-1`, `alembic upgrade {0}`",
          id);
    return fmt::format("reproduce with `alembic upgrade {}`", id);
  }

  void flag_slow_revisions() {
    double limit = context_.settings.slow_migration_ms / 1000.0;
    for (size_t i = 0; i < outcome_.timings.size(); ++i) {
      const RevisionTiming& timing = outcome_.timings[i];
      for (auto [seconds, direction] : {std::pair{timing.upgrade_seconds, Direction::up},
                                        std::pair{timing.downgrade_seconds, Direction::down}}) {
        if (seconds <= limit) continue;
        add(Severity::warning, "slow-migration", definition(i, direction), revisions_[i].id,
            fmt::format("{} of {} took {:.1f} s on an empty database (slow-migration-ms is {})",
                        direction == Direction::up ? "upgrade" : "downgrade", describe(i), seconds,
                        context_.settings.slow_migration_ms),
            "on a production-sized table it will take longer; consider batching it");
      }
    }
  }

  // -- findings ------------------------------------------------------------------------------

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

  void add(Severity severity, std::string_view rule, const Place& place, std::string revision,
           std::string message, std::string help) {
    outcome_.findings.push_back({.check = std::string(kCheck),
                                 .rule = std::string(rule),
                                 .severity = severity,
                                 .message = std::move(message),
                                 .file = place.file,
                                 .line = place.line,
                                 .end_line = place.line,
                                 .revision = std::move(revision),
                                 .help = std::move(help)});
  }

  void add_error(std::string_view rule, const Place& place, std::string revision,
                 std::string message, std::string help) {
    add(Severity::error, rule, place, std::move(revision), std::move(message), std::move(help));
  }

  void log_detail(const Error& error) {
    keep_log_tail(worker_->take_log());
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

CheckOutcome run(const CheckContext& context) {
  Result<sandbox::Sandbox*> sandbox = context.workspace.shared();
  if (!sandbox) return infrastructure_failure(kCheck, sandbox.error());
  return RoundTrip(context, **sandbox).run();
}

std::span<const RuleInfo> rules() {
  return kRules;
}

}  // namespace ag::checks::roundtrip
