// SIGINT/SIGTERM/SIGHUP/SIGQUIT for the whole program: whatever it created outside itself (a
// scratch database, an embedded server, child processes) is cleaned up before it exits with
// 128+signo.
//
// Design (self-pipe + watcher thread):
//  - The signal handler does only async-signal-safe things: it records the first signal number
//    in an atomic and writes one byte to a pipe.
//  - A dedicated watcher thread, started by install_interrupt_handlers(), blocks reading that
//    pipe. On the byte it takes everything registered (under the registry mutex, which no
//    signal handler ever touches), then:
//      1. sends SIGINT (for SIGINT) or SIGTERM (for the others) to every registered child
//         process group and gives them up to one
//         second to exit, then SIGKILLs what is left of those groups (children are stopped
//         before the cleanups, so a cleanup such as DROP DATABASE does not race them);
//      2. runs the registered cleanups once each, newest first (like destructors);
//      3. waits (at most 10 s) for cleanups that other threads were already running;
//      4. flushes stdout and stderr and calls _exit(128 + signo).
//    Further signals while this runs are ignored: cancelling twice must not skip the cleanups.
//  - Guards are RAII: a CleanupGuard runs its cleanup when it goes out of scope (normal path) or
//    on the signal (watcher), never both. Once an interrupt is being handled, a thread other than
//    the watcher that touches the registry (registers, releases, runs a guard) is parked for
//    good, so it cannot start new work or reap a child the watcher is signalling; the process
//    exits from the watcher. Cleanups themselves (and whatever they register, e.g. the pg_ctl
//    child of "stop the server") are never parked.
//  - Register a cleanup before creating its resource where possible, and make it tolerate a
//    resource that does not exist (DROP DATABASE IF EXISTS, removing a missing folder): a
//    resource created after the signal but before its guard is registered would leak.
//  - Without install_interrupt_handlers() (unit tests, library use) the guards are plain scope
//    guards.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

namespace ag::process {

/// Installs the SIGINT, SIGTERM, SIGHUP and SIGQUIT handlers (not for a signal ignored at
/// start: nohup) and starts the watcher thread. Call
/// from main() before other threads exist (the handlers are process-wide); later calls do nothing.
/// Throws std::system_error when the pipe or the thread cannot be made (fatal at start-up).
void install_interrupt_handlers();

/// The signal being handled (one of those four); 0 while there is none.
int interrupt_signal();

/// A cleanup that runs once: when the guard is destroyed or run(), or on one of those signals.
/// Cleanups run on the watcher thread on a signal: capture by value, not references into
/// objects that another thread may be changing, and do not throw (exceptions are swallowed).
class CleanupGuard {
 public:
  CleanupGuard() = default;  ///< Guards nothing.
  /// Registers `cleanup`; `what` names it for messages ("remove /tmp/x").
  CleanupGuard(std::string what, std::function<void()> cleanup);
  CleanupGuard(CleanupGuard&& other) noexcept;
  CleanupGuard& operator=(CleanupGuard&& other) noexcept;  ///< Runs the guard it replaces.
  CleanupGuard(const CleanupGuard&) = delete;
  CleanupGuard& operator=(const CleanupGuard&) = delete;
  ~CleanupGuard() { run(); }

  /// Runs the cleanup now unless it already ran (here or on a signal). Idempotent.
  void run();
  /// Forgets the cleanup without running it.
  void dismiss();
  [[nodiscard]] bool active() const { return id_ != 0; }

 private:
  std::uint64_t id_ = 0;
};

/// Registers a child's process group: those signals are forwarded to it, and what is left of it
/// after a grace period is SIGKILLed, before the cleanups run. Release it before reaping the
/// child (a reaped leader's id may be reused).
class ProcessGroupGuard {
 public:
  ProcessGroupGuard() = default;
  explicit ProcessGroupGuard(pid_t pgid);
  ProcessGroupGuard(ProcessGroupGuard&& other) noexcept;
  ProcessGroupGuard& operator=(ProcessGroupGuard&& other) noexcept;
  ProcessGroupGuard(const ProcessGroupGuard&) = delete;
  ProcessGroupGuard& operator=(const ProcessGroupGuard&) = delete;
  ~ProcessGroupGuard() { release(); }

  /// Unregisters the group. Idempotent.
  void release();

 private:
  std::uint64_t id_ = 0;
};

}  // namespace ag::process
