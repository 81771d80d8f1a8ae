// The Python worker: one long-lived interpreter running the project's own Alembic and env.py on
// a scratch database, spoken to in JSON lines (protocol: the docstring of worker.py). It
// executes and reports; every decision is made here, on the C++ side.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

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
};

/// The interpreters to try, in order: `configured` alone when set, else python3 on PATH, then
/// /usr/bin/python3.
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
  double seconds = 0;
  std::vector<std::string> heads;  ///< After the step.
};

struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

class Worker {
 public:
  /// Starts the interpreter and loads the project's Alembic configuration. Errors (the caller
  /// maps them to exit 3): no interpreter, Alembic or SQLAlchemy not importable (the message says
  /// what to install), the configuration cannot be loaded.
  static Result<Worker> start(const WorkerOptions& options);

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
  Result<StepDone> step(const std::string& revision, Direction direction, bool stamp = false);

  /// Runs `sql` on the migration connection (sees what the session has not committed yet).
  Result<Rows> query(const std::string& sql);

  /// Lets env.py finish (it commits) and ends the session.
  Status close();

  /// What the project and Alembic printed since the last call (the worker's stderr).
  std::string take_log();

  /// False once the worker was stopped (a timeout) or ended unexpectedly.
  bool running() const { return alive_; }

  /// True once a request ran past its timeout (the worker was stopped then).
  bool timed_out() const { return timed_out_; }

 private:
  struct Reply;
  Worker(process::Subprocess child, std::chrono::seconds step_timeout);
  Result<Reply> request(const std::string& line, std::chrono::seconds timeout,
                        std::string_view doing);

  process::Subprocess child_;
  std::chrono::seconds step_timeout_;
  Versions versions_;
  bool alive_ = true;
  bool timed_out_ = false;
};

}  // namespace ag::alembic
