#include "checks/roundtrip/roundtrip.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <exception>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "alembic/error_summary.h"
#include "catalog/catalog_facts.h"
#include "catalog/catalog_state.h"
#include "checks/missing_module.h"
#include "checks/roundtrip/segments.h"
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
    {"unknown-revision-setting", "roundtrip", Severity::error,
     "minimum-downgrade-revision or skip-revisions names no revision.",
     "These settings name revisions by their full id. One that names none would be ignored: "
     "a revision meant to be skipped would run, downgrades meant to stop would go on. Nothing "
     "is judged until it is fixed.",
     "Name the revision by its full id, as its file's `revision = ...` gives it."},
    {"roles-left", "roundtrip", Severity::notice,
     "Roles appeared on the server during the roundtrip.",
     "Roles belong to the whole PostgreSQL server, not to a database: the ones migrations "
     "create outlive the scratch databases, on the server of database-url. When env.py or the "
     "revisions speak of roles, alembic-gate compares the server's roles before and after the "
     "roundtrip and names the new ones; it does not drop them (another client may have made "
     "them meanwhile).",
     "Drop them with DROP ROLE once you have checked they are the migrations' own."},
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

Finding make_finding(Severity severity, std::string_view rule, const Place& place,
                     std::string revision, std::string message, std::string help) {
  return {.check = std::string(kCheck),
          .rule = std::string(rule),
          .severity = severity,
          .message = std::move(message),
          .file = place.file,
          .line = place.line,
          .end_line = place.line,
          .revision = std::move(revision),
          .help = std::move(help)};
}

/// `abc123 ("add users")`.
std::string describe(const RevisionInfo& revision) {
  return revision.doc.empty() ? revision.id : fmt::format("{} (\"{}\")", revision.id, revision.doc);
}

/// The line of `def upgrade` or `def downgrade` in the revision's file.
Place definition(const CheckContext& context, const RevisionInfo& revision, Direction direction) {
  const graph::Revision* read = context.graph.find(revision.id);
  if (read == nullptr) return {context.project.relative(revision.path), 0};
  const graph::RevisionScript& script = context.graph.scripts()[read->script];
  int line = direction == Direction::up ? script.upgrade_line : script.downgrade_line;
  return {context.project.relative(script.path), line};
}

/// Where `error` points in the project, else `fallback`.
Place place_of(const CheckContext& context, const Error& error, Place fallback) {
  if (error.where.empty()) return fallback;
  return {context.project.relative(error.where), error.line};
}

/// How the catalog was read, for the log.
struct Readings {
  int touched = 0;
  int whole = 0;
};

/// What a segment's RoundTrip hands back.
struct SegmentOutcome {
  CheckOutcome outcome;   ///< Its findings and status; timings of its own revisions.
  size_t judged = 0;      ///< Its own revisions judged, from its first on.
  bool complete = false;  ///< Every one of its own was judged.
  bool started = false;   ///< env.py ran and the database reached its first revision.
  Readings readings;
  std::vector<std::string> log;  ///< Its log lines, when they wait for the segments before.
};

/// The revisions of one segment, each on its own: from the state its predecessors' upgrades
/// left, its upgrade, then its downgrade and the upgrade again in a savepoint that is rolled back
/// (the worker's `roundtrip` step), so that whatever the downgrade did, the next revision starts
/// from the state the upgrade made. The catalog read after the downgrade is compared with the
/// one before the upgrade: a trace, a failing downgrade or a failing second upgrade is that
/// revision's alone. A segment that does not start at the first revision first upgrades through
/// the ones before it without checks. A failure there is reported as any: the segments' outcomes
/// are merged in order up to the first that stopped early, so it counts only when the segment
/// judging that revision passed it (a step that timed out here only, say).
class RoundTrip {
 public:
  /// Works in `own` when given, else in the shared sandbox (which it leaves at the heads).
  RoundTrip(const CheckContext& context, const std::vector<RevisionInfo>& revisions,
            Segment segment, std::unique_ptr<sandbox::Sandbox> own, sandbox::Sandbox& shared,
            LogLine log)
      : context_(context),
        revisions_(revisions),
        segment_(segment),
        own_(std::move(own)),
        sandbox_(own_ ? own_.get() : &shared),
        worker_(&sandbox_->worker()),
        log_(std::move(log)) {
    result_.outcome.name = std::string(kCheck);
    result_.outcome.timings.resize(revisions_.size());
    for (size_t i = 0; i < revisions_.size(); ++i) {
      result_.outcome.timings[i].revision = revisions_[i].id;
      if (revisions_[i].id == context_.settings.minimum_downgrade_revision) last_kept_ = i;
    }
  }

  SegmentOutcome run() {
    if (open_session(*worker_) && upgrade_through(segment_.begin)) {
      result_.started = true;
      size_t index = segment_.begin;
      while (index < segment_.end && roundtrip(index)) ++index;
      result_.judged = index - segment_.begin;
      result_.complete = index == segment_.end;
    }
    if (session_open_) close_session(*worker_);
    return std::move(result_);
  }

 private:
  const CheckContext& context_;
  const std::vector<RevisionInfo>& revisions_;
  Segment segment_;
  /// The segment's own sandbox; empty for the last segment, which works in the shared one.
  std::unique_ptr<sandbox::Sandbox> own_;
  sandbox::Sandbox* sandbox_;  ///< own_ or the shared one; renewed after a state no upgrade makes.
  alembic::Worker* worker_;    ///< The sandbox's.
  LogLine log_;
  /// Revisions up to this index are not downgraded (minimum-downgrade-revision).
  std::optional<size_t> last_kept_;
  catalog::CatalogState catalog_;  ///< The state the steps so far left.
  bool catalog_known_ = false;
  bool functions_defined_ = false;  ///< The reading functions exist in the worker's session.
  /// Lint runs too: it judges what an upgrade ran when the revision cannot render offline.
  const bool capture_ = std::find(context_.settings.checks.begin(), context_.settings.checks.end(),
                                  "lint") != context_.settings.checks.end();
  std::string log_tail_;
  bool session_open_ = true;  ///< False once a failed step ended the session for good.
  SegmentOutcome result_;

  /// Plain upgrades of the revisions before `end`, in this session. Each may take the time its
  /// judging does (three migrations' step-timeout): one that passed there passes here.
  bool upgrade_through(size_t end) {
    for (size_t i = 0; session_open_ && i < end; ++i) {
      Result<alembic::StepDone> done = worker_->step(
          revisions_[i].id, Direction::up, skipped(revisions_[i]), alembic::kTrioTimeouts);
      keep_log_tail(worker_->take_log());
      if (!done) {
        session_open_ = false;
        step_failed("upgrade-failed", i, Direction::up, done.error(), "upgrade to {}");
      }
    }
    return session_open_;
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
        .define = {},
        .capture = capture_ && !skipped(revision)};
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
    keep_ran(revision.id, done->ran);
    std::vector<RevisionTiming>& timings = result_.outcome.timings;
    timings[index].upgrade_seconds = done->up_seconds;
    if (request.trio && !done->down_error) timings[index].downgrade_seconds = done->down_seconds;
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

  /// What the upgrade ran, for lint (RanStatement: line 0 marks autocommit_block()'s ends).
  void keep_ran(const std::string& revision, const std::vector<alembic::EmittedSql>& ran) {
    if (ran.empty()) return;
    std::vector<RanStatement>& kept = result_.outcome.ran_sql[revision];
    for (const alembic::EmittedSql& statement : ran)
      kept.push_back({statement.sql, statement.line});
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
    log_(fmt::format(
        "roundtrip: {} commits midway (autocommit_block), and {}: the next revisions go on in a "
        "new scratch database, upgraded to it",
        revisions_[index].id, why));
    if (session_open_) close_session(*worker_);
    Result<sandbox::Sandbox*> renewed = renew_sandbox();
    if (!renewed) {
      broken(renewed.error());
      return false;
    }
    sandbox_ = *renewed;
    worker_ = &sandbox_->worker();
    catalog_known_ = false;
    session_open_ = open_session(*worker_);
    return upgrade_through(index + 1);
  }

  /// A new sandbox in place of the segment's (the old one is dropped first).
  Result<sandbox::Sandbox*> renew_sandbox() {
    if (!own_) return context_.workspace.renew_shared();
    own_.reset();
    Result<std::unique_ptr<sandbox::Sandbox>> opened = context_.workspace.open_another();
    if (!opened) return opened.error();
    own_ = std::move(*opened);
    return own_.get();
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
    ++(rows.whole ? result_.readings.whole : result_.readings.touched);
    Result<catalog::CatalogReading> reading = catalog::read_catalog_rows(rows.rows, rows.whole);
    if (!reading) {
      broken(reading.error());
      return std::nullopt;
    }
    return std::move(*reading);
  }

  void report_trace(size_t index, const std::vector<std::string>& differences) {
    add_error("downgrade-leaves-trace", definition(context_, revisions_[index], Direction::down),
              revisions_[index].id,
              fmt::format("downgrade of {} leaves a trace: {}", describe(revisions_[index]),
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
    session_open_ = false;
    log_detail(heads.error());
    if (alembic::is_alembic_incompatibility(heads.error())) {
      broken(heads.error());
      return false;
    }
    add_error("env-failed", place_of(context_, heads.error(), {}), "",
              "env.py failed: " + alembic::summarize_error(heads.error().message),
              "run `alembic upgrade head` locally against an empty database to reproduce");
    explain_missing_module(result_.outcome.findings.back(), heads.error(), context_);
    return false;
  }

  void close_session(alembic::Worker& worker) {
    session_open_ = false;
    Status closed = worker.close();
    if (closed) return;
    if (own_) {
      // A segment before the last finishes short of the heads, where env.py may expect them.
      // The last segment's finish is the one that counts (and is said once).
      log_("roundtrip: env.py failed finishing short of the heads: " + closed.error().message);
      return;
    }
    add_error("env-failed", place_of(context_, closed.error(), {}), "",
              "env.py failed while finishing: " + alembic::summarize_error(closed.error().message),
              "");
  }

  void downgrade_failed(size_t index, const Error& error) {
    const RevisionInfo& revision = revisions_[index];
    if (error.message.starts_with("NotImplementedError")) {
      log_detail(error);
      add(Severity::warning, "downgrade-not-implemented",
          place_of(context_, error, definition(context_, revision, Direction::down)), revision.id,
          fmt::format("downgrade of {} raises NotImplementedError: a deliberate one-way migration",
                      describe(revision)),
          "");
      return;
    }
    step_failed("downgrade-failed", index, Direction::down, error, "downgrade of {}");
  }

  void step_failed(std::string_view rule, size_t index, Direction direction, const Error& error,
                   fmt::format_string<std::string> what) {
    const RevisionInfo& revision = revisions_[index];
    std::string subject = fmt::format(what, describe(revision));
    log_detail(error);
    // The worker died, or this Alembic lacks what the worker relies on: not the migration's fault.
    if ((!worker_->running() && !worker_->timed_out()) ||
        alembic::is_alembic_incompatibility(error)) {
      broken(error);
      return;
    }
    if (alembic::is_connection_lost(error)) {
      broken(connection_lost(subject, error));
      return;
    }
    Place place = definition(context_, revision, direction);
    if (worker_->timed_out()) {
      add_error("step-timeout", place, revision.id,
                fmt::format("{} did not finish within step-timeout ({} s) and was stopped", subject,
                            context_.settings.step_timeout),
                "a migration that waits on a lock or sleeps hangs deploys too; raise step-timeout "
                "only if it is really that slow");
      return;
    }
    add_error(rule, place_of(context_, error, place), revision.id,
              fmt::format("{} failed: {}", subject, alembic::summarize_error(error.message)),
              reproduce(rule, revision.id));
    explain_missing_module(result_.outcome.findings.back(), error, context_);
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

  // -- findings ------------------------------------------------------------------------------

  void add(Severity severity, std::string_view rule, const Place& place, std::string revision,
           std::string message, std::string help) {
    result_.outcome.findings.push_back(make_finding(severity, rule, place, std::move(revision),
                                                    std::move(message), std::move(help)));
  }

  void add_error(std::string_view rule, const Place& place, std::string revision,
                 std::string message, std::string help) {
    add(Severity::error, rule, place, std::move(revision), std::move(message), std::move(help));
  }

  void log_detail(const Error& error) {
    keep_log_tail(worker_->take_log());
    if (!log_tail_.empty()) log_(std::exchange(log_tail_, {}));
    if (!error.detail.empty()) log_(error.detail);
  }

  /// A lost connection, said as the server's doing, naming the database and its server.
  Error connection_lost(const std::string& subject, const Error& error) const {
    return Error{
        fmt::format("lost the connection to {} while running {}: {}; the server stopped "
                    "or restarted, or someone ended the session",
                    sandbox_->description(), subject, alembic::summarize_error(error.message)),
        "", 0, error.detail};
  }

  void broken(const Error& error) {
    CheckOutcome failure = infrastructure_failure(kCheck, error);
    result_.outcome.status = CheckStatus::error;
    result_.outcome.findings.insert(result_.outcome.findings.end(), failure.findings.begin(),
                                    failure.findings.end());
  }
};
/// Appends the slow-migration warnings of `outcome`'s timings.
void flag_slow_revisions(const CheckContext& context, const std::vector<RevisionInfo>& revisions,
                         CheckOutcome& outcome) {
  double limit = context.settings.slow_migration_ms / 1000.0;
  for (size_t i = 0; i < outcome.timings.size(); ++i) {
    const RevisionTiming& timing = outcome.timings[i];
    for (auto [seconds, direction] : {std::pair{timing.upgrade_seconds, Direction::up},
                                      std::pair{timing.downgrade_seconds, Direction::down}}) {
      if (seconds <= limit) continue;
      outcome.findings.push_back(make_finding(
          Severity::warning, "slow-migration", definition(context, revisions[i], direction),
          revisions[i].id,
          fmt::format("{} of {} took {:.1f} s on an empty database (slow-migration-ms is {})",
                      direction == Direction::up ? "upgrade" : "downgrade", describe(revisions[i]),
                      seconds, context.settings.slow_migration_ms),
          "on a production-sized table it will take longer; consider batching it"));
    }
  }
}

/// Why the history gets one database whatever its size, or nullopt. `shared`: what the
/// migrations say of what databases of one server share (shared_by_databases).
std::optional<std::string> one_database(const CheckContext& context,
                                        const std::optional<std::string>& shared) {
  if (context.settings.allow_configured_database)
    return "roundtrip: one database (allow-configured-database works in the configured one)";
  if (shared)
    return fmt::format(
        "roundtrip: one database at a time: the migrations may act on what databases of one "
        "server share ({})",
        *shared);
  return std::nullopt;
}

/// How many segments `revisions` revisions get (1 when `alone` says why).
size_t segments_wanted(const CheckContext& context, size_t revisions,
                       const std::optional<std::string>& alone) {
  if (alone) return 1;
  return segment_count(revisions, context.settings.roundtrip_jobs,
                       std::thread::hardware_concurrency());
}

/// Log lines held back until released, then passed on as they come, from any thread: the other
/// sandboxes keep their log for their whole life (a drop that fails is said when they go).
class HeldLog {
 public:
  void operator()(const std::string& line) {
    std::lock_guard lock(mutex_);
    if (log_)
      log_(line);
    else
      held_.push_back(line);
  }

  /// Tells the lines held to `log`, and the later ones as they come.
  void release(const LogLine& log) {
    std::lock_guard lock(mutex_);
    for (const std::string& line : held_) log(line);
    held_.clear();
    log_ = log;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> held_;
  LogLine log_;
};

/// The sandboxes of the segments before the last (which works in the shared one). Each costs a
/// scratch database and an interpreter, as long as judging a few dozen revisions: the
/// interpreters start at once, the databases on a thread of their own once the shared sandbox
/// is open (first, so that a server allowing few connections gives them to it), while it lists
/// the revisions. How many comes from the revision files; take() opens more if the worker lists
/// more. Their log lines wait until taken, so that the log reads the same every run.
class OtherSandboxes {
 public:
  OtherSandboxes(const CheckContext& context, size_t segments)
      : context_(context), log_(std::make_shared<HeldLog>()) {
    for (size_t i = 1; i < segments; ++i) launches_.push_back(context.workspace.launch_worker());
  }

  /// Starts opening them, at most `room` (room_for_sandboxes()), now that the shared sandbox is
  /// open.
  void open_beside(std::optional<size_t> room) {
    size_t count = room ? std::min(*room, launches_.size()) : launches_.size();
    if (count == 0) return;
    thread_ = std::jthread([this, count] {
      try {
        open(count + 1);
      } catch (...) {  // the truly fatal: rethrown by take()
        failure_ = std::current_exception();
      }
    });
  }

  /// Sandboxes for `segments` - 1 segments, fewer when the server gives no more (said in `log`,
  /// after the lines of those opened beforehand).
  std::vector<std::unique_ptr<sandbox::Sandbox>> take(size_t segments, const LogLine& log) {
    if (thread_.joinable()) thread_.join();
    if (failure_) std::rethrow_exception(failure_);
    log_->release(log);
    open(segments);
    launches_.clear();  // unused: their interpreters stop
    while (!opened_.empty() && opened_.size() + 1 > segments) opened_.pop_back();
    return std::move(opened_);
  }

 private:
  void open(size_t segments) {
    LogLine log = [held = log_](const std::string& line) { (*held)(line); };
    while (!refused_ && opened_.size() + 1 < segments) {
      std::optional<alembic::WorkerLaunch> launched;
      if (opened_.size() < launches_.size()) launched.emplace(std::move(launches_[opened_.size()]));
      Result<std::unique_ptr<sandbox::Sandbox>> opened =
          context_.workspace.open_another(log, std::move(launched));
      if (!opened) {
        refused_ = true;
        log("roundtrip: no more scratch databases at once (" + opened.error().describe() +
            "): " + std::to_string(opened_.size() + 1) + " instead of " + std::to_string(segments));
        return;
      }
      opened_.push_back(std::move(*opened));
    }
  }

  const CheckContext& context_;
  std::shared_ptr<HeldLog> log_;  ///< Shared with the sandboxes, which may outlive this.
  std::vector<alembic::WorkerLaunch> launches_;
  std::vector<std::unique_ptr<sandbox::Sandbox>> opened_;
  bool refused_ = false;
  std::exception_ptr failure_;
  std::jthread thread_;  // last: joined before the members it writes go
};

/// How far the segments got together.
struct Progress {
  size_t judged = 0;            ///< Revisions judged, from the first on.
  bool failed_at_next = false;  ///< The revision after them failed (a step, not env.py).
  Readings readings;
};

/// The segments' outcomes as one, in revision order, into `merged`, their log lines told: a
/// segment that stopped early (an upgrade failed) ends it, as one database would have.
Progress merge(std::vector<SegmentOutcome>& results, const std::vector<Segment>& segments,
               CheckOutcome& merged, const LogLine& log) {
  Progress progress;
  for (size_t j = 0; j < results.size(); ++j) {
    SegmentOutcome& part = results[j];
    for (const std::string& line : part.log) log(line);
    if (part.outcome.status == CheckStatus::error) merged.status = CheckStatus::error;
    std::move(part.outcome.findings.begin(), part.outcome.findings.end(),
              std::back_inserter(merged.findings));
    merged.ran_sql.merge(part.outcome.ran_sql);
    for (size_t i = segments[j].begin; i < segments[j].end; ++i)
      merged.timings[i] = part.outcome.timings[i];
    progress.judged += part.judged;
    progress.readings.touched += part.readings.touched;
    progress.readings.whole += part.readings.whole;
    if (!part.complete) {
      progress.failed_at_next = part.started;
      break;
    }
  }
  return progress;
}

/// Runs the segments at once, each in its own thread but the last, in the caller's.
std::vector<SegmentOutcome> run_segments(const CheckContext& context,
                                         const std::vector<RevisionInfo>& revisions,
                                         const std::vector<Segment>& segments,
                                         std::vector<std::unique_ptr<sandbox::Sandbox>> own,
                                         sandbox::Sandbox& shared) {
  std::vector<SegmentOutcome> results(segments.size());
  if (segments.size() == 1) {
    results[0] = RoundTrip(context, revisions, segments[0], nullptr, shared, context.log).run();
    return results;
  }
  // Each segment's log waits until all ended (merge() tells it), so that it reads the same
  // every run.
  std::vector<std::vector<std::string>> logs(segments.size());
  std::vector<std::exception_ptr> failures(segments.size());
  {
    std::vector<std::jthread> threads;
    for (size_t j = 0; j < segments.size(); ++j) {
      bool last = j + 1 == segments.size();
      auto work = [&, j, sandbox = last ? nullptr : std::move(own[j])]() mutable {
        LogLine log = [&logs, j](const std::string& line) { logs[j].push_back(line); };
        try {
          results[j] =
              RoundTrip(context, revisions, segments[j], std::move(sandbox), shared, log).run();
        } catch (...) {  // the truly fatal: rethrown once all have ended
          failures[j] = std::current_exception();
        }
      };
      if (last)
        work();
      else
        threads.emplace_back(std::move(work));
    }
  }
  for (const std::exception_ptr& failure : failures)
    if (failure) std::rethrow_exception(failure);
  for (size_t j = 0; j < segments.size(); ++j) results[j].log = std::move(logs[j]);
  return results;
}

CheckOutcome unloadable(sandbox::Sandbox& shared, const CheckContext& context, const Error& error) {
  CheckOutcome outcome;
  outcome.name = std::string(kCheck);
  outcome.findings.push_back(make_finding(
      Severity::error, "revision-unloadable", place_of(context, error, {}), "",
      "Alembic cannot load the revision files: " + alembic::summarize_error(error.message), ""));
  explain_missing_module(outcome.findings.back(), error, context);
  if (std::string printed = shared.worker().take_log(); !printed.empty()) context.log(printed);
  if (!error.detail.empty()) context.log(error.detail);
  return outcome;
}

}  // namespace

/// An error for each revision minimum-downgrade-revision and skip-revisions name that the history
/// lacks: a setting that names nothing would silently do nothing.
Findings unknown_revision_settings(const CheckContext& context) {
  std::vector<std::pair<std::string_view, std::string>> named;
  if (!context.settings.minimum_downgrade_revision.empty())
    named.emplace_back("minimum-downgrade-revision", context.settings.minimum_downgrade_revision);
  for (const std::string& id : context.settings.skip_revisions)
    named.emplace_back("skip-revisions", id);
  Findings findings;
  for (const auto& [setting, id] : named) {
    if (context.graph.find(id) != nullptr) continue;
    std::vector<std::string> like;
    for (const auto& [known, revision] : context.graph.revisions()) {
      if (known.starts_with(id) || id.starts_with(known)) like.push_back(known);
    }
    findings.push_back(make_finding(
        Severity::error, "unknown-revision-setting", {}, "",
        fmt::format("{} names '{}', which is no revision of this history{}; nothing was judged",
                    setting, id,
                    like.empty() ? std::string()
                                 : fmt::format(" (did you mean {}?)", fmt::join(like, ", "))),
        "name the revision by its full id, as its file's `revision = ...` gives it"));
  }
  return findings;
}

/// The roles of the server (they outlive every scratch database); empty when unreadable.
std::set<std::string> role_names(pg::Connection& connection) {
  std::set<std::string> names;
  Result<pg::QueryResult> rows = connection.exec("SELECT rolname FROM pg_roles");
  if (!rows) return names;
  for (int row = 0; row < rows->rows(); ++row) names.emplace(rows->text(row, 0));
  return names;
}

/// How many sandboxes besides the shared one the server has free connections for: each holds
/// two (its catalog's and its worker's) and makes its database through a third for a moment, and
/// the shared sandbox's worker has yet to connect. From max_connections (less the slots kept for
/// superusers and, from PostgreSQL 16, reserved_connections) and the role's CONNECTION LIMIT,
/// less the connections open now; nullopt when the server does not say. Another client may take
/// some meanwhile: then a worker cannot connect.
std::optional<size_t> room_for_sandboxes(pg::Connection& catalog) {
  // A session the role may not see has no backend_type: counted when it has a user.
  Result<pg::QueryResult> free = catalog.exec(R"sql(
    WITH me AS (SELECT rolsuper, rolconnlimit FROM pg_roles WHERE rolname = session_user),
    sessions AS (SELECT usename = session_user AS mine FROM pg_stat_activity
                 WHERE backend_type = 'client backend'
                    OR backend_type IS NULL AND usesysid IS NOT NULL)
    SELECT current_setting('max_connections')::int
           - CASE WHEN (SELECT rolsuper FROM me) THEN 0
                  ELSE current_setting('superuser_reserved_connections')::int
                       + coalesce(current_setting('reserved_connections', true)::int, 0) END
           - (SELECT count(*) FROM sessions),
           (SELECT CASE WHEN rolconnlimit >= 0 AND NOT rolsuper
                        THEN rolconnlimit - (SELECT count(*) FROM sessions WHERE mine) END
            FROM me))sql");
  if (!free || free->rows() != 1 || free->is_null(0, 0)) return std::nullopt;
  long left = std::stol(std::string(free->text(0, 0)));
  if (!free->is_null(0, 1)) left = std::min(left, std::stol(std::string(free->text(0, 1))));
  return left < 4 ? 0 : static_cast<size_t>((left - 2) / 2);
}

/// A notice naming the roles that appeared on a server that outlives the run.
void report_new_roles(sandbox::Sandbox& shared, const std::set<std::string>& before,
                      CheckOutcome& outcome) {
  if (shared.on_embedded_server() || before.empty()) return;
  std::vector<std::string> added;
  for (const std::string& role : role_names(shared.catalog()))
    if (!before.contains(role)) added.push_back(role);
  if (added.empty()) return;
  outcome.findings.push_back(make_finding(
      Severity::notice, "roles-left", {}, "",
      fmt::format("roles appeared on the server during the roundtrip and stay there: {}; roles "
                  "belong to the whole server and outlive the scratch databases",
                  fmt::join(added, ", ")),
      "drop them with DROP ROLE once you have checked they are the migrations' own"));
}

CheckOutcome run(const CheckContext& context) {
  if (Findings unknown = unknown_revision_settings(context); !unknown.empty())
    return {
        .name = std::string(kCheck), .status = CheckStatus::failed, .findings = std::move(unknown)};
  // Only where the migrations speak of roles: another client's roles are none of the run's.
  std::optional<std::string> speaks_of_shared = shared_by_databases(context.project);
  std::optional<std::string> alone = one_database(context, speaks_of_shared);
  OtherSandboxes others(context, segments_wanted(context, context.graph.revisions().size(), alone));
  Result<sandbox::Sandbox*> shared = context.workspace.shared();
  if (!shared) return infrastructure_failure(kCheck, shared.error());
  std::optional<size_t> room = room_for_sandboxes((*shared)->catalog());
  others.open_beside(room);
  Result<std::vector<RevisionInfo>> revisions = (*shared)->worker().revisions();
  if (!revisions) return unloadable(**shared, context, revisions.error());
  std::set<std::string> roles_before;
  if (speaks_of_shared) roles_before = role_names((*shared)->catalog());

  Stopwatch stopwatch;
  // The segments first (split() may give fewer than wanted), then a sandbox for each but the
  // last; fewer sandboxes, fewer segments.
  if (alone && segments_wanted(context, revisions->size(), std::nullopt) > 1) context.log(*alone);
  size_t wanted = segments_wanted(context, revisions->size(), alone);
  if (room && wanted > *room + 1) {
    context.log(fmt::format(
        "roundtrip: {} instead of {}: the server has free connections for no more (each holds "
        "two, its catalog's and its worker's)",
        *room == 0 ? "one database" : fmt::format("{} scratch databases at once", *room + 1),
        wanted));
    wanted = *room + 1;
  }
  std::vector<Segment> segments = split(revisions->size(), wanted);
  std::vector<std::unique_ptr<sandbox::Sandbox>> own = others.take(segments.size(), context.log);
  if (own.size() + 1 < segments.size()) segments = split(revisions->size(), own.size() + 1);
  context.log(fmt::format(
      "roundtrip: {} revisions, each upgraded, downgraded and upgraded again on its own{}",
      revisions->size(),
      segments.size() > 1 ? fmt::format(", in {} scratch databases at once", segments.size())
                          : ""));

  std::vector<SegmentOutcome> results =
      run_segments(context, *revisions, segments, std::move(own), **shared);
  CheckOutcome outcome;
  outcome.name = std::string(kCheck);
  outcome.timings.resize(revisions->size());
  for (size_t i = 0; i < revisions->size(); ++i) outcome.timings[i].revision = (*revisions)[i].id;
  Progress progress = merge(results, segments, outcome, context.log);
  size_t judged = progress.judged;
  context.log(fmt::format(
      "roundtrip: {} of {} revisions judged in {:.2f} s; {} catalog readings of what a step "
      "touched, {} of the whole catalog",
      judged, revisions->size(), stopwatch.seconds(), progress.readings.touched,
      progress.readings.whole));
  if (progress.failed_at_next && judged + 1 < revisions->size())
    context.log(fmt::format("roundtrip: the {} revisions after {} were not judged",
                            revisions->size() - judged - 1, (*revisions)[judged].id));
  flag_slow_revisions(context, *revisions, outcome);
  // The shared sandbox may have been renewed meanwhile: the current one.
  if (Result<sandbox::Sandbox*> now = context.workspace.shared())
    report_new_roles(**now, roles_before, outcome);
  return outcome;
}

std::span<const RuleInfo> rules() {
  return kRules;
}

}  // namespace ag::checks::roundtrip
