// Child processes: spawned from an argv vector (never through a shell), each in its own process
// group, with its standard streams on pipes that are pumped without ever blocking on a full one.
//
// Two ways to use it:
//  - run(): start, feed stdin, capture stdout and stderr, wait (with a timeout that kills the
//    whole process group) and report. For short-lived tools (initdb, pg_ctl, python -c ...).
//  - Subprocess: a long-lived child spoken to in lines, e.g. the Python worker: write() a line to
//    its stdin, read_line() from its stdout with a deadline; stderr is drained into a buffer by
//    the same loop, so a chatty child cannot block on it.
//
// Children start with an empty signal mask and default dispositions (nothing we ignore or block
// leaks into them), with every fd of ours closed (all are O_CLOEXEC) but the three streams.
//
// Threading: a Subprocess is used by one thread at a time. The process-wide effects are that
// SIGPIPE is ignored from the first spawn on (a child that closes its stdin becomes an Error,
// not a dead parent), and that every child's process group is registered with interrupts.h
// (ProcessGroupGuard) until it is reaped, so a SIGINT/SIGTERM of ours reaches it. A child
// spawned in the instant between such a signal and the registration is not signalled; it sees
// EOF on its pipes when we exit.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace ag::process {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();

/// `timeout` from now; kNoDeadline when there is none.
Deadline deadline_after(std::optional<std::chrono::milliseconds> timeout);

/// What one of the child's standard streams is connected to.
enum class Stream {
  null,     ///< /dev/null.
  pipe,     ///< A pipe to this process (stdin: write(); stdout/stderr: captured).
  inherit,  ///< This process's own stream.
  /// stderr only: wherever the child's stdout goes (2>&1), so that a tool's output and its
  /// errors arrive in one stream, in order.
  to_stdout,
};

/// How a child is started, and for run() also what it is fed and how long it may take.
struct Options {
  /// Changes to this process's environment: a value sets the variable, nullopt removes it.
  std::map<std::string, std::optional<std::string>> env{};
  /// Working directory of the child; empty: ours. A relative program path is looked up in it.
  std::filesystem::path cwd{};
  Stream stdin_stream = Stream::null;  ///< run() uses a pipe when `input` is not empty.
  Stream stdout_stream = Stream::pipe;
  Stream stderr_stream = Stream::pipe;
  /// How long the child's group gets between SIGTERM and SIGKILL when it has to be stopped
  /// (timeout, destructor, terminate()).
  std::chrono::milliseconds kill_grace{2000};

  // run() only.
  std::string input{};  ///< Written to the child's stdin, which is then closed.
  std::optional<std::chrono::milliseconds> timeout{};  ///< Then the process group is killed.
};

/// How a child ended.
struct ExitStatus {
  int code = -1;   ///< Exit code when the child exited; -1 when a signal killed it.
  int signal = 0;  ///< The signal that killed it; 0 when it exited.

  [[nodiscard]] bool success() const { return code == 0; }
  /// "exit code 3" or "killed by SIGKILL".
  [[nodiscard]] std::string describe() const;
};

/// A running (or finished but not yet reaped) child in its own process group. Move-only; the
/// destructor stops the child's whole group if the child was not reaped yet (SIGTERM,
/// Options::kill_grace, SIGKILL) and reaps it. Contract for every member but the destructor and
/// assignment: not moved from.
class Subprocess {
 public:
  /// Starts argv[0] with argv: a program with a '/' as that path (relative to options.cwd),
  /// otherwise looked up on PATH (the overridden one when options.env sets PATH). Errors: empty
  /// argv, a missing working directory, a program that is not found or cannot be executed (the
  /// message names the program), pipes that cannot be made.
  static Result<Subprocess> spawn(const std::vector<std::string>& argv,
                                  const Options& options = {});

  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;  ///< Stops the child it replaces.
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();

  /// The child's pid, which is also its process group id.
  [[nodiscard]] pid_t pid() const;
  /// argv[0] as given, for messages.
  [[nodiscard]] const std::string& program() const;

  /// Writes all of `data` to the child's stdin, reading stdout and stderr meanwhile so neither
  /// side can block the other. Errors: the deadline passed (the unwritten rest is dropped), the
  /// child closed its stdin (usually: it exited), stdin is not an open pipe.
  Status write(std::string_view data, Deadline deadline = kNoDeadline);
  /// Closes the child's stdin so that it reads EOF. Idempotent.
  void close_stdin();

  /// The next line of stdout without its '\n' (a last unterminated piece counts as a line);
  /// nullopt at EOF (or when stdout is not a pipe). Error when the deadline passes first: a
  /// partial line stays buffered for the next call. stderr is read meanwhile.
  Result<std::optional<std::string>> read_line(Deadline deadline = kNoDeadline);

  /// Reads stdout and stderr until both are at EOF; false when the deadline came first.
  bool read_to_end(Deadline deadline = kNoDeadline);

  /// Output read but not yet consumed (by read_line or take_*); valid until the next call.
  [[nodiscard]] std::string_view stdout_buffer() const;
  [[nodiscard]] std::string_view stderr_buffer() const;
  std::string take_stdout();
  std::string take_stderr();

  /// Waits for the child to end, reading its pipes meanwhile, and reaps it; nullopt when the
  /// deadline came first. Once reaped, the status stays and the group is no longer signalled.
  std::optional<ExitStatus> wait(Deadline deadline = kNoDeadline);

  /// As wait(), and before reaping SIGKILLs what is left of the child's process group: the
  /// processes it started that would outlive it. nullopt (nothing signalled) when the deadline
  /// came first.
  std::optional<ExitStatus> wait_and_end_group(Deadline deadline);

  /// Stops the whole process group: SIGTERM, up to `grace` for the child to exit, then SIGKILL
  /// to whatever is left of the group (also a child that had already exited leaves no group
  /// behind); reaps the child. Returns how the child ended.
  ExitStatus terminate(std::chrono::milliseconds grace);

  /// Sends `signo` to the child's process group; nothing once the child is reaped.
  void signal_group(int signo) const;

  /// False once the child has been seen to end.
  [[nodiscard]] bool running();

 private:
  struct State;
  explicit Subprocess(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
};

/// What run() observed.
struct Completed {
  ExitStatus status;
  std::string out;
  std::string err;
  bool timed_out = false;  ///< The timeout passed and the process group was killed.

  [[nodiscard]] bool success() const { return !timed_out && status.success(); }
};

/// Runs argv to completion: feeds options.input, captures stdout and stderr (unless they are
/// Stream::null or inherited), waits for the child to exit and both pipes to close. On the
/// timeout the whole process group is stopped (SIGTERM, kill_grace, SIGKILL) and timed_out set.
/// Errors: those of Subprocess::spawn. A non-zero exit is not an error: see Completed::status.
Result<Completed> run(const std::vector<std::string>& argv, const Options& options = {});

}  // namespace ag::process
