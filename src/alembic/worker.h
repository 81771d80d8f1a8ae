// The Python worker: one long-lived interpreter running the project's own Alembic and env.py on
// a scratch database, spoken to in JSON lines (protocol: docs/worker-protocol.md). It
// executes and reports; every decision is made here, on the C++ side.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "alembic/model_comparison.h"
#include "process/subprocess.h"
#include "util/result.h"

namespace ag::alembic {

struct WorkerOptions {
  std::string python;  ///< Interpreter; empty: python3 on PATH, then /usr/bin/python3.
  std::filesystem::path project_dir;
  std::filesystem::path config_file;  ///< alembic.ini
  std::string url;                    ///< The scratch database, in the user's driver form.
  std::vector<std::string> url_env;   ///< Environment variables that receive the URL.
  std::chrono::seconds step_timeout{300};
  /// For the interpreter to run the bootstrap and say hello: any Python does at once, so one that
  /// says nothing is no Python (a wrapper waiting for input, say).
  std::chrono::seconds hello_timeout{30};
};

/// Whether a request failed because this Alembic lacks a part of its own that the worker uses as
/// Alembic's commands do (the exception the worker raised is an AlembicIncompatible, by
/// Error::kind; its message names the version): not the project's fault, so the check cannot
/// run.
bool is_alembic_incompatibility(const Error& error);

/// Whether a migration's error says the database connection itself went away (the server shut
/// down or restarted, an administrator ended the session): the infrastructure's fault, not the
/// migration's. Told by SQLSTATE (57P01-57P03, 08006) or the drivers' words for it.
bool is_connection_lost(const Error& error);

/// The interpreters to try, in order: `configured` alone when set, else python3 on PATH, then
/// /usr/bin/python3. The next one is tried when one cannot be started, ends before answering,
/// or cannot import Alembic or SQLAlchemy.
std::vector<std::string> interpreter_candidates(const std::string& configured);

/// What the interpreter runs.
struct Versions {
  std::string python;
  std::string alembic;
  std::string sqlalchemy;
  std::string interpreter;  ///< The interpreter that was started.
};

/// A revision as Alembic itself loaded it.
struct RevisionInfo {
  std::string id;
  std::vector<std::string> down_revisions;
  std::vector<std::string> depends_on;
  std::filesystem::path path;
  std::string doc;
};

enum class Direction { up, down };

struct StepDone {
  double seconds = 0;  ///< In Alembic, from the step's start to its commit.
};

using Row = std::vector<std::optional<std::string>>;

struct Rows {
  std::vector<std::string> columns;
  std::vector<Row> rows;
};

/// The step-timeouts a roundtrip step with `trio` may take: one per migration it runs.
inline constexpr int kTrioTimeouts = 3;

/// Where a text printed in offline mode came from.
enum class SqlOrigin {
  revision,  ///< The revision's own file (its upgrade(), or a helper it called).
  env,       ///< env.py (e.g. a SET lock_timeout before context.run_migrations()).
  alembic,   ///< Alembic itself: its per-migration BEGIN/COMMIT and the version table.
};

/// One text Alembic printed in offline mode (one statement, sometimes several or a comment).
struct EmittedSql {
  std::string sql;
  std::string revision;  ///< The revision being upgraded then; empty before the first.
  SqlOrigin origin = SqlOrigin::alembic;
  int line = 0;  ///< In the revision file or env.py; 0 for Alembic's own.
  /// Names SQLAlchemy refused to render in this text (longer than the dialect's limit): a real
  /// run raises IdentifierError here. The worker rendered them anyway.
  std::vector<std::string> refused_identifiers{};
};

/// A revision's roundtrip step (Worker::roundtrip): its upgrade, in its own transaction, and with
/// `trio` its downgrade and the upgrade again in a savepoint rolled back afterwards, so that the
/// step leaves the database as the upgrade made it. The catalog is read with functions that
/// `define` creates in pg_temp (sent once per session): catalog::relation_facts_function() as
/// `ag_read_whole` and `ag_read_touched`.
struct RoundTripRequest {
  std::string revision;
  bool stamp = false;        ///< Stamped instead of run (skip-revisions): nothing else happens.
  bool trio = false;         ///< Also the downgrade and the upgrade again.
  bool read_before = false;  ///< Read the whole catalog before the upgrade, too.
  std::vector<std::string> define = {};
  /// Report what the upgrade ran (RoundTripDone::ran).
  bool capture = false;
};

/// A catalog reading made inside the step: catalog::relation_facts_function()'s rows.
struct CatalogRows {
  bool whole = false;  ///< Every relation read, not only those touched.
  std::vector<Row> rows;
};

/// What the database holds when a roundtrip step ends.
enum class TripState {
  exact,       ///< As the upgrade made it (the savepoint was rolled back), or no trio.
  reupgraded,  ///< As the downgrade and the second upgrade left it: the migration committed
               ///< midway, which ended the savepoint.
  unknown,     ///< That, and the downgrade or the second upgrade failed: the session has ended.
};

struct RoundTripDone {
  double up_seconds = 0;  ///< The upgrade alone.
  double down_seconds = 0;
  std::optional<Error> down_error;        ///< The downgrade raised (then no second upgrade).
  std::optional<Error> reup_error;        ///< The second upgrade raised.
  std::optional<CatalogRows> before;      ///< With read_before.
  std::optional<CatalogRows> after_down;  ///< After a downgrade that succeeded.
  std::optional<CatalogRows> after;       ///< When the step ends (not when `unknown`).
  TripState state = TripState::exact;
  /// With `capture`: each statement the upgrade sent through SQLAlchemy, at the line of the
  /// revision that sent it (origin revision; placeholders as $1, $2), and where
  /// autocommit_block() ended and began again its transaction (COMMIT, BEGIN: origin alembic).
  std::vector<EmittedSql> ran = {};
};

/// A revision whose upgrade() raised in offline mode (e.g. it reads rows through op.get_bind()).
struct OfflineFailure {
  std::string revision;
  Error error;  ///< At the failing line of the migration.
  /// Where in OfflineSql::statements the revision stopped: what Alembic printed after its
  /// failure (its version table statement, the commit) starts there.
  size_t at = 0;
};

/// Where env.py keeps the applied revisions (context.configure's version_table and
/// version_table_schema).
struct VersionTable {
  std::string name = "alembic_version";
  std::string schema = {};  ///< "": the connection's search_path decides.
};

struct OfflineSql {
  std::vector<EmittedSql> statements;  ///< In the order Alembic printed them.
  std::vector<OfflineFailure> failures;
  VersionTable version_table = {};  ///< As the run's env.py configured it.
};

/// One revision's downgrade alone in offline mode, as `alembic downgrade REV:PARENT --sql`
/// prints it.
struct OfflineDowngrade {
  std::string revision;
  std::vector<EmittedSql> statements;  ///< Everything that run printed, in order.
  std::optional<Error> failure;        ///< downgrade() raised (the texts before it are kept).
};

/// A worker's first interpreter started ahead of its database: it imports Alembic and SQLAlchemy
/// (a third of a second) while the caller starts the server and creates the database. Handed to
/// Worker::start; dropped unused, its process is stopped.
class WorkerLaunch {
 public:
  /// Starts the first of interpreter_candidates(`python`) in `project_dir`; a failure to start
  /// it is kept for Worker::start to report.
  static WorkerLaunch begin(const std::string& python, const std::filesystem::path& project_dir);

  /// The process started (0 when it could not be).
  [[nodiscard]] pid_t pid() const { return child_ ? child_->pid() : 0; }

 private:
  friend class Worker;
  WorkerLaunch(std::string interpreter, std::filesystem::path project_dir,
               Result<process::Subprocess> child)
      : interpreter_(std::move(interpreter)),
        project_dir_(std::move(project_dir)),
        child_(std::move(child)) {}

  std::string interpreter_;
  std::filesystem::path project_dir_;
  Result<process::Subprocess> child_;
};

class Worker {
 public:
  /// Starts the interpreter (`launched`'s when it was started for this interpreter and project)
  /// and loads the project's Alembic configuration. Errors (the caller maps them to exit 3): no
  /// interpreter, Alembic or SQLAlchemy not importable (the message says what to install), the
  /// configuration cannot be loaded.
  static Result<Worker> start(const WorkerOptions& options,
                              std::optional<WorkerLaunch> launched = std::nullopt);

  Worker(Worker&& other) noexcept;
  Worker& operator=(Worker&&) = delete;
  ~Worker();  ///< Asks the worker to exit; stops its process group if it does not.

  const Versions& versions() const { return versions_; }

  /// Every revision, base first, in an order that respects down_revision and depends_on.
  Result<std::vector<RevisionInfo>> revisions();

  /// Runs env.py online and keeps its session open; returns the current heads. A failure (an
  /// import error in env.py, no connection) carries the best location: Error::where/line.
  Result<std::vector<std::string>> open();

  /// Runs one revision up or down inside the session (stamped instead when `stamp`). A failure
  /// ends the session; its Error points at the failing line and carries the traceback in
  /// Error::detail. A step running past step_timeout stops the worker: every later call fails.
  /// It may take `timeouts` times step_timeout (a revision replayed where another worker judges
  /// it gets the time its judging gets).
  Result<StepDone> step(const std::string& revision, Direction direction, bool stamp = false,
                        int timeouts = 1);

  /// One revision's roundtrip step inside the session (see RoundTripRequest). A failing upgrade
  /// is an Error and ends the session, as step()'s; a failing downgrade or second upgrade is
  /// reported in RoundTripDone. With `trio`, it may take three times step_timeout.
  Result<RoundTripDone> roundtrip(const RoundTripRequest& request);

  /// The revisions in the version table now, inside the session.
  Result<std::vector<std::string>> current();

  /// Runs `sql` on the migration connection (sees what the session has not committed yet).
  Result<Rows> query(const std::string& sql);

  /// Runs env.py in offline mode (as_sql, no database) once, upgrading through `revisions` in
  /// this order, and returns what Alembic printed. Outside a session. A revision that raises is a
  /// failure and the others still run; an Error means env.py itself cannot run offline (it
  /// connects, raises, or never runs the migrations).
  Result<OfflineSql> offline_sql(const std::vector<std::string>& revisions);

  /// Each of `revisions`' downgrade alone, in offline mode: one run of env.py per revision
  /// (starting at it, ending at its parent). Outside a session. A downgrade that raises is its
  /// entry's failure; an Error means env.py itself cannot run offline.
  Result<std::vector<OfflineDowngrade>> offline_downgrades(
      const std::vector<std::string>& revisions);

  /// Lets env.py finish (it commits) and ends the session.
  Status close();

  /// Runs env.py once to bring every database it migrates to the heads, as `alembic upgrade
  /// heads` does; the `stamp` revisions are stamped instead of run. Not inside a session. A
  /// failure carries the failing line (Error::where/line) and the traceback (Error::detail).
  Status upgrade_to_heads(const std::vector<std::string>& stamp, std::chrono::seconds timeout);

  /// Alembic's autogenerate comparison of env.py's target_metadata with the database, through
  /// env.py as `alembic revision --autogenerate` runs it (its filters and compare options apply);
  /// writes no revision file. Not inside a session. A failure (env.py or the models raising)
  /// points at the innermost line of the project's own code. With `created_types`, also which
  /// types create_all() makes itself (ModelComparison::types; a create_all() on a mock engine,
  /// which runs the models' DDL event listeners: their failure is types_error, not an Error).
  Result<ModelComparison> compare_models(bool created_types);

  /// metadata.create_all() of env.py's target_metadata in this worker's database (and the
  /// schemas its tables name). Not inside a session.
  Status create_models();

  /// What the project and Alembic printed since the last call (the worker's stderr).
  std::string take_log();

  /// False once the worker was stopped (a timeout) or ended unexpectedly.
  bool running() const { return alive_; }

  /// True once a request ran past its timeout (the worker was stopped then).
  bool timed_out() const { return timed_out_; }

  /// The interpreter's process.
  [[nodiscard]] pid_t pid() const { return child_.pid(); }

 private:
  struct Reply;
  Worker(process::Subprocess child, std::chrono::seconds step_timeout);
  /// The worker's next line as a reply: its answer to a request whose write was `written`, or
  /// its first line, unasked (the bootstrap's hello). A missing answer stops the worker.
  Result<Reply> receive(const Status& written, process::Deadline deadline,
                        std::chrono::seconds timeout, std::string_view doing);
  Result<Reply> request(const std::string& line, std::chrono::seconds timeout,
                        std::string_view doing);

  process::Subprocess child_;
  std::chrono::seconds step_timeout_;
  Versions versions_;
  bool alive_ = true;
  bool timed_out_ = false;
};

}  // namespace ag::alembic
