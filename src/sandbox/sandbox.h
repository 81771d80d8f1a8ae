// Where the checks that run migrations work. A Server is the PostgreSQL server of the run (the
// one database-url names, or an embedded throwaway one); a Sandbox is a scratch database on it
// with a catalog connection and the Python worker running the project's own Alembic against it.
// Workspace hands them out lazily, so a run that needs no database starts none, and roundtrip
// and drift share one sandbox.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "alembic/worker.h"
#include "config/settings.h"
#include "pg/connection.h"
#include "pg/database_url.h"
#include "pg/embedded_server.h"
#include "pg/scratch_database.h"
#include "process/interrupts.h"
#include "project/project.h"

namespace ag::sandbox {

class Server {
 public:
  /// Parses database-url, or starts the embedded server when it is empty. Errors: a bad URL, no
  /// PostgreSQL binaries, a server that cannot start.
  static Result<std::unique_ptr<Server>> obtain(const config::Settings& settings);

  const pg::DatabaseUrl& url() const { return url_; }
  /// "the embedded server" or the redacted URL.
  std::string description() const;
  bool embedded() const { return embedded_.has_value(); }

 private:
  Server() = default;
  std::optional<pg::EmbeddedServer> embedded_;
  pg::DatabaseUrl url_;
};

class Sandbox {
 public:
  /// Creates a scratch database on `server`, connects to it and starts the worker (`launched`,
  /// when given: see alembic::WorkerLaunch). Errors are infrastructure errors (exit 3):
  /// unreachable server, bad credentials, no CREATEDB, no Python with Alembic, an unloadable
  /// Alembic config. Nothing is left behind on an error.
  static Result<std::unique_ptr<Sandbox>> open(
      const Server& server, const config::Settings& settings, const project::Project& project,
      const LogLine& log, std::optional<alembic::WorkerLaunch> launched = std::nullopt);

  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;
  /// Stops the worker, closes the connection, drops the scratch database.
  ~Sandbox();

  /// A connection to the scratch database for catalog queries (snapshots).
  pg::Connection& catalog() { return *catalog_; }
  alembic::Worker& worker() { return *worker_; }
  /// "database alembic_gate_1f2e... on the embedded server", for messages.
  const std::string& description() const { return description_; }
  /// Whether its server is the embedded one, thrown away with everything on it at the end.
  bool on_embedded_server() const { return on_embedded_server_; }
  /// Its database, when the configured one, keeps this run's turn for the next sandbox
  /// (pg::ScratchDatabase::keep_turn).
  void keep_turn() { scratch_->keep_turn(); }

 private:
  Sandbox() = default;

  // Destroyed in reverse order: the worker first, the database last.
  std::optional<pg::ScratchDatabase> scratch_;
  process::CleanupGuard drop_on_signal_;
  std::optional<pg::Connection> catalog_;
  std::optional<alembic::Worker> worker_;
  std::string description_;
  bool on_embedded_server_ = false;
};

/// The run's server and sandboxes, made on first use.
class Workspace {
 public:
  Workspace(const config::Settings& settings, const project::Project& project, LogLine log);
  ~Workspace();

  /// The sandbox the checks share (roundtrip leaves it at the heads for drift).
  Result<Sandbox*> shared();
  /// An interpreter started now for a sandbox that open_another() makes later: it imports
  /// Alembic meanwhile.
  alembic::WorkerLaunch launch_worker() const;
  /// Another sandbox on the same server, owned by the caller, with the interpreter `launched`
  /// (else one started now), its lines told to `log` (else the workspace's). Once the server is
  /// up (after a shared()), threads may call it at once: it only reads the server.
  Result<std::unique_ptr<Sandbox>> open_another(
      const LogLine& log = {}, std::optional<alembic::WorkerLaunch> launched = std::nullopt);
  /// Replaces the shared sandbox with a new one (the old one is dropped), for a check that can
  /// no longer use the database it left: the roundtrip after a migration that committed midway
  /// left it in a state no upgrade makes. With allow-configured-database the run keeps its turn
  /// meanwhile. Errors as open_another()'s.
  Result<Sandbox*> renew_shared();

 private:
  Result<Server*> server();

  const config::Settings& settings_;
  const project::Project& project_;
  LogLine log_;
  std::unique_ptr<Server> server_;  // declared first: destroyed after the sandbox
  std::unique_ptr<Sandbox> shared_;
  std::optional<Error>
      failure_;  ///< Why the server or shared sandbox could not be had: not retried.
};

/// `python_url` with the driver of `ini_url` when it names none itself, so that an async env.py
/// (postgresql+asyncpg:// in alembic.ini) stays async on a server given without a driver.
std::string with_project_driver(const std::string& python_url, const std::string& ini_url);

}  // namespace ag::sandbox
