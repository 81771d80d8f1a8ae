// Scratch databases: where migrations run, created on the configured server and always dropped.
//
// The database named in database-url is only a door to the server: a maintenance connection to it
// issues CREATE DATABASE alembic_gate_<random hex> and, at the end, DROP DATABASE ... WITH (FORCE)
// (PG13+; on PG12: forbid new connections, terminate the backends, drop). Nothing is ever written
// to it, with one opt-in exception: a role without CREATEDB may, when allow-configured-database is
// requested, use the configured database itself, but only while it holds no user objects; it is
// emptied again at the end.
//
// Dropping happens in the destructor, after success and after errors alike; drop() does it early
// and reports failures, and dropper() gives a cleanup registry (SIGINT/SIGTERM) a callable that
// survives moves of the ScratchDatabase (ScratchOptions::register_cleanup hands one out before
// the database exists). All are idempotent and thread-safe. They use libpq, so call them from
// normal context (a cleanup thread), never inside a signal handler.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "pg/connection.h"
#include "pg/database_url.h"
#include "util/result.h"

namespace ag::pg {

struct ScratchOptions {
  /// Without CREATEDB, use the configured database itself when it holds no user objects.
  bool allow_configured_database = false;
  /// Waiting for the server on the maintenance connection.
  ConnectOptions connect;
  /// Told about failures of the destructor's drop, which cannot return them. May be empty.
  LogLine log = {};
  /// Called once before CREATE DATABASE with what to run on SIGINT/SIGTERM (the same as
  /// dropper(); tolerates a database that was never created), so that a signal arriving while
  /// the database is being created cannot leak it; e.g. keep a process::CleanupGuard(what,
  /// cleanup). May be empty.
  std::function<void(std::string what, std::function<void()> cleanup)> register_cleanup = {};
};

class ScratchDatabase {
 public:
  /// Creates a scratch database on the server of `url` (CREATE DATABASE from template0, with the
  /// configured database's encoding and locale). Errors: the server unreachable; the role lacks
  /// CREATEDB (naming that privilege; or, with allow_configured_database, the configured database
  /// holds user objects, listing some).
  static Result<ScratchDatabase> create(const DatabaseUrl& url, const ScratchOptions& options = {});

  ScratchDatabase(ScratchDatabase&&) noexcept = default;
  ScratchDatabase& operator=(ScratchDatabase&& other) noexcept;
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  /// Drops (or empties) the database unless drop() already did; failures go to options.log.
  ~ScratchDatabase();

  /// alembic_gate_<16 hex digits>, or the configured database's name.
  [[nodiscard]] const std::string& name() const;
  /// libpq parameters for connecting to it.
  [[nodiscard]] const ConnectionParams& params() const;
  /// The URL for the Python side: the configured URL with its driver, naming this database.
  [[nodiscard]] std::string python_url() const;
  /// True when this is the configured database (allow_configured_database), not a new one.
  [[nodiscard]] bool is_configured_database() const;

  /// Drops the database now (or empties the configured one). Idempotent: later calls, the
  /// destructor and dropper() callables do nothing and return ok().
  Status drop();

  /// A callable doing drop() (failures logged), valid after this object moved or died; for the
  /// signal-cleanup registry.
  [[nodiscard]] std::function<void()> dropper() const;

  /// For the configured database: once emptied, this run keeps its turn (the advisory lock runs
  /// on one database take) for its next claim of the same database, which then needs no wait:
  /// a run that renews its sandbox midway keeps its place before runs queued behind it. A turn
  /// never claimed again ends with the process. No effect on a database of its own.
  void keep_turn();

 private:
  struct State;
  explicit ScratchDatabase(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

/// How drop_database() gets other sessions out of the way.
enum class DropMethod {
  automatic,            ///< WITH (FORCE) on PG13+, else terminate_then_drop.
  force,                ///< DROP DATABASE ... WITH (FORCE).
  terminate_then_drop,  ///< ALLOW_CONNECTIONS false, pg_terminate_backend(), DROP DATABASE.
};

/// Drops database `name` if it exists, connecting with `server` (which must name another
/// database) and ending other sessions on it first.
Status drop_database(const ConnectionParams& server, const std::string& name,
                     DropMethod method = DropMethod::automatic);

}  // namespace ag::pg
