#include "process/subprocess.h"

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include "support/process_probe.h"

#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace ag::process {
namespace {

using test::gone_within;

using namespace std::chrono_literals;

Completed run_ok(const std::vector<std::string>& argv, const Options& options = {}) {
  Result<Completed> done = run(argv, options);
  REQUIRE_MESSAGE(done.ok(), (done.ok() ? "" : done.error().describe()));
  return std::move(done).value();
}

/// A fresh temporary folder, removed at the end of the test.
struct TempFolder {
  std::filesystem::path path;
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ag-subprocess.XXXXXX");
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempFolder() { std::filesystem::remove_all(path); }
};

TEST_CASE("run captures stdout, stderr and the exit code") {
  Completed done = run_ok({"sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(done.out == "out\n");
  CHECK(done.err == "err\n");
  CHECK(done.status.code == 3);
  CHECK(done.status.describe() == "exit code 3");
  CHECK_FALSE(done.success());
  CHECK_FALSE(done.timed_out);

  Completed echoed = run_ok({"echo", "hello", "two words"});
  CHECK(echoed.out == "hello two words\n");
  CHECK(echoed.success());
}

TEST_CASE("run reports a child killed by a signal") {
  Completed done = run_ok({"sh", "-c", "kill -KILL $$"});
  CHECK(done.status.signal == SIGKILL);
  CHECK(done.status.code == -1);
  CHECK(done.status.describe() == "killed by SIGKILL");
}

TEST_CASE("run passes argv without a shell") {
  Completed done = run_ok({"printf", "%s|", "$HOME", "a b", "'q'", ";ls"});
  CHECK(done.out == "$HOME|a b|'q'|;ls|");
}

TEST_CASE("run feeds input through cat without deadlock, several MB both ways") {
  std::string input(8 << 20, 'x');
  for (std::size_t i = 0; i < input.size(); i += 4097) input[i] = '\n';
  Completed done = run_ok({"cat"}, Options{.input = input});
  CHECK(done.success());
  CHECK(done.out.size() == input.size());
  CHECK(done.out == input);
}

TEST_CASE("run reads large stdout and stderr written in turns") {
  // stderr first: a reader that drains stdout to EOF before stderr would block forever.
  Completed done = run_ok(
      {"sh", "-c",
       "head -c 3000000 /dev/zero >&2; head -c 5000000 /dev/zero; head -c 2000000 /dev/zero >&2"});
  CHECK(done.success());
  CHECK(done.out.size() == 5000000);
  CHECK(done.err.size() == 5000000);
}

TEST_CASE("run reads large stdout and stderr written at the same time") {
  Completed done =
      run_ok({"sh", "-c", "head -c 4000000 /dev/zero >&2 & head -c 6000000 /dev/zero; wait"});
  CHECK(done.out.size() == 6000000);
  CHECK(done.err.size() == 4000000);
}

TEST_CASE("a timeout kills the child and its grandchild in the same process group") {
  auto start = Clock::now();
  Completed done = run_ok({"sh", "-c", "sleep 60 & echo $!; sleep 60"},
                          Options{.kill_grace = 500ms, .timeout = 500ms});
  auto took = Clock::now() - start;
  CHECK(done.timed_out);
  CHECK(done.status.signal == SIGTERM);
  CHECK(took < 3s);
  pid_t grandchild = std::stoi(done.out);
  CHECK(gone_within(grandchild, 2s));
}

TEST_CASE("a child that ignores SIGTERM is killed after the grace period") {
  auto start = Clock::now();
  // The timeout leaves the shell ample time to set its trap first.
  Completed done = run_ok({"sh", "-c", "trap '' TERM; sleep 60 & echo $!; wait"},
                          Options{.kill_grace = 300ms, .timeout = 1000ms});
  auto took = Clock::now() - start;
  CHECK(done.timed_out);
  CHECK(done.status.signal == SIGKILL);
  CHECK(took >= 1300ms);
  CHECK(took < 4s);
  CHECK(gone_within(std::stoi(done.out), 2s));
}

TEST_CASE("a program that is not found is an error naming it") {
  Result<Completed> done = run({"ag-no-such-program", "--flag"});
  REQUIRE_FALSE(done.ok());
  CHECK(done.error().message == "program not found: ag-no-such-program (not on PATH)");

  Result<Completed> by_path = run({"/nonexistent/ag-tool"});
  REQUIRE_FALSE(by_path.ok());
  CHECK(by_path.error().message == "program not found: /nonexistent/ag-tool");

  Result<Completed> empty = run({});
  CHECK_FALSE(empty.ok());
}

TEST_CASE("a program that cannot be executed is an error naming it") {
  TempFolder folder;
  std::filesystem::path script = folder.path / "not-executable";
  std::ofstream(script) << "#!/bin/sh\necho no\n";
  ::chmod(script.c_str(), 0644);
  Result<Completed> done = run({script.string()});
  REQUIRE_FALSE(done.ok());
  CHECK(done.error().message.find(script.string()) != std::string::npos);
  // Even root needs an execute bit.
  CHECK(done.error().message.find("Permission denied") != std::string::npos);
}

TEST_CASE("environment overrides set, replace and remove variables") {
  ::setenv("AG_SUBPROCESS_KEEP", "kept", 1);
  ::setenv("AG_SUBPROCESS_DROP", "dropped", 1);
  ::setenv("AG_SUBPROCESS_REPLACE", "old", 1);
  Options options;
  options.env = {{"AG_SUBPROCESS_NEW", "new value"},
                 {"AG_SUBPROCESS_DROP", std::nullopt},
                 {"AG_SUBPROCESS_REPLACE", "replaced"}};
  Completed done = run_ok({"sh", "-c",
                           "echo \"$AG_SUBPROCESS_KEEP|$AG_SUBPROCESS_NEW|"
                           "${AG_SUBPROCESS_DROP-unset}|$AG_SUBPROCESS_REPLACE\""},
                          options);
  CHECK(done.out == "kept|new value|unset|replaced\n");
}

TEST_CASE("a PATH override is where the program is looked up") {
  TempFolder folder;
  std::filesystem::path tool = folder.path / "ag-path-tool";
  std::ofstream(tool) << "#!/bin/sh\necho found me\n";
  ::chmod(tool.c_str(), 0755);
  Options options;
  options.env = {{"PATH", folder.path.string() + ":/usr/bin:/bin"}};
  CHECK(run_ok({"ag-path-tool"}, options).out == "found me\n");
  CHECK_FALSE(run({"ag-path-tool"}).ok());
}

TEST_CASE("the working directory is set, and a missing one is an error") {
  TempFolder folder;
  Options options;
  options.cwd = folder.path;
  Completed done = run_ok({"pwd"}, options);
  CHECK(std::filesystem::path(done.out.substr(0, done.out.size() - 1)) ==
        std::filesystem::canonical(folder.path));

  options.cwd = folder.path / "missing";
  Result<Completed> missing = run({"pwd"}, options);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("no such directory") != std::string::npos);
}

TEST_CASE("the child runs in its own process group with default signal handling") {
  Completed done = run_ok({"sh", "-c", "ps -o pgid= -p $$; echo $$"});
  std::istringstream lines(done.out);
  pid_t pgid = 0, pid = 0;
  lines >> pgid >> pid;
  CHECK(pgid == pid);
  CHECK(pgid != ::getpgrp());
}

TEST_CASE("stdin, stdout and stderr can be null") {
  Options options;
  options.stdout_stream = Stream::null;
  options.stderr_stream = Stream::null;
  Completed done = run_ok({"sh", "-c", "echo out; echo err >&2; cat"}, options);
  CHECK(done.out.empty());
  CHECK(done.err.empty());
  CHECK(done.success());  // cat read EOF from /dev/null
}

TEST_CASE("stderr can join stdout, in the order written") {
  Options options;
  options.stderr_stream = Stream::to_stdout;
  Completed done = run_ok({"sh", "-c", "echo one; echo two >&2; echo three"}, options);
  CHECK(done.out == "one\ntwo\nthree\n");
  CHECK(done.err.empty());
}

TEST_CASE("a long-lived child exchanges lines") {
  Options options;
  options.stdin_stream = Stream::pipe;
  Result<Subprocess> child =
      Subprocess::spawn({"sh", "-c", "while read -r l; do echo \"got $l\"; done"}, options);
  REQUIRE(child.ok());
  for (int i = 0; i < 200; ++i) {
    REQUIRE(child->write("line " + std::to_string(i) + "\n", deadline_after(5s)).ok());
    Result<std::optional<std::string>> line = child->read_line(deadline_after(5s));
    REQUIRE(line.ok());
    REQUIRE(line->has_value());
    CHECK(**line == "got line " + std::to_string(i));
  }
  child->close_stdin();
  Result<std::optional<std::string>> eof = child->read_line(deadline_after(5s));
  REQUIRE(eof.ok());
  CHECK_FALSE(eof->has_value());
  std::optional<ExitStatus> status = child->wait(deadline_after(5s));
  REQUIRE(status.has_value());
  CHECK(status->success());
}

TEST_CASE("a chatty stderr does not block line reading") {
  Options options;
  options.stdin_stream = Stream::pipe;
  Result<Subprocess> child = Subprocess::spawn(
      {"sh", "-c", "head -c 2000000 /dev/zero >&2; read -r l; echo \"$l\"; printf tail"}, options);
  REQUIRE(child.ok());
  REQUIRE(child->write("ping\n", deadline_after(10s)).ok());
  Result<std::optional<std::string>> line = child->read_line(deadline_after(10s));
  REQUIRE(line.ok());
  CHECK(line->value_or("<eof>") == "ping");
  Result<std::optional<std::string>> last = child->read_line(deadline_after(10s));
  REQUIRE(last.ok());
  CHECK(last->value_or("<eof>") == "tail");  // unterminated last piece
  CHECK(child->wait(deadline_after(10s)).has_value());
  CHECK(child->read_to_end(deadline_after(10s)));
  CHECK(child->take_stderr().size() == 2000000);
}

TEST_CASE("read_line times out and keeps the partial line") {
  Options options;
  options.stdin_stream = Stream::pipe;
  Result<Subprocess> child =
      Subprocess::spawn({"sh", "-c", "printf part; read -r x; echo \"ial $x\""}, options);
  REQUIRE(child.ok());
  auto start = Clock::now();
  Result<std::optional<std::string>> early = child->read_line(deadline_after(200ms));
  CHECK(Clock::now() - start >= 200ms);
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().message == "timed out waiting for output from sh");
  CHECK(child->stdout_buffer() == "part");
  REQUIRE(child->write("done\n").ok());
  Result<std::optional<std::string>> line = child->read_line(deadline_after(5s));
  REQUIRE(line.ok());
  CHECK(line->value_or("<eof>") == "partial done");
}

TEST_CASE("writing to a child that has exited is an error, not SIGPIPE") {
  Options options;
  options.stdin_stream = Stream::pipe;
  Result<Subprocess> child = Subprocess::spawn({"true"}, options);
  REQUIRE(child.ok());
  REQUIRE(child->wait(deadline_after(5s)).has_value());
  Status written = child->write(std::string(1 << 20, 'x'), deadline_after(5s));
  REQUIRE_FALSE(written.ok());
  CHECK(written.error().message == "true closed its standard input");
}

TEST_CASE("the destructor stops and reaps a running child") {
  pid_t pid = 0;
  auto start = Clock::now();
  {
    Result<Subprocess> child = Subprocess::spawn({"sleep", "60"});
    REQUIRE(child.ok());
    pid = child->pid();
    CHECK(child->running());
  }
  CHECK(Clock::now() - start < 3s);
  CHECK(::kill(pid, 0) != 0);  // reaped, not a zombie
}

TEST_CASE("terminate returns how the child ended and is idempotent") {
  Result<Subprocess> child = Subprocess::spawn({"sleep", "60"});
  REQUIRE(child.ok());
  ExitStatus status = child->terminate(1s);
  CHECK(status.signal == SIGTERM);
  CHECK(child->terminate(1s).signal == SIGTERM);
  CHECK_FALSE(child->running());
  CHECK(child->wait(deadline_after(0ms)).has_value());
}

TEST_CASE("wait with a deadline leaves a running child alone") {
  Result<Subprocess> child = Subprocess::spawn({"sleep", "60"});
  REQUIRE(child.ok());
  CHECK_FALSE(child->wait(deadline_after(50ms)).has_value());
  CHECK(child->running());
  Subprocess moved = std::move(*child);
  CHECK(moved.running());
}

}  // namespace
}  // namespace ag::process
