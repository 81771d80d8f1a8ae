#include "app/install.h"

#include <fmt/format.h>

#include <chrono>

#include "alembic/worker.h"
#include "process/subprocess.h"
#include "report/workflow_commands.h"
#include "util/stopwatch.h"
#include "util/text.h"

namespace ag {
namespace {

constexpr std::size_t kTailLines = 20;
constexpr std::chrono::seconds kProbeTimeout{60};
constexpr std::string_view kProbe =
    "import importlib.util as u; print(all(u.find_spec(m) for m in ('alembic', 'sqlalchemy')))";

/// The interpreter the environment is made from: the first candidate that imports Alembic and
/// SQLAlchemy; else the first that runs at all (the install command may bring them).
Result<std::string> base_interpreter(const std::string& configured) {
  std::string first_running;
  std::string tried;
  process::Options options;
  options.timeout = kProbeTimeout;
  for (const std::string& candidate : alembic::interpreter_candidates(configured)) {
    Result<process::Completed> probe =
        process::run({candidate, "-c", std::string(kProbe)}, options);
    if (probe && probe->success() && trim(probe->out) == "True") return candidate;
    if (probe && probe->success() && first_running.empty()) first_running = candidate;
    if (!probe) tried += (tried.empty() ? "" : "; ") + probe.error().message;
  }
  if (!first_running.empty()) return first_running;
  return Error{fmt::format("no Python interpreter to make the virtual environment with ({})",
                           tried.empty() ? "none of them runs" : tried)};
}

/// The log's frame around the install output: a collapsed group on GitHub (the console wraps the
/// output itself in ::stop-commands::, so packages cannot fake annotations or masks); a plain
/// header line elsewhere.
class LogFrame {
 public:
  LogFrame(const LogLine& log, const LogLine& group, const std::string& command) : group_(group) {
    if (group_) {
      group_("::group::install: " + escape_data(command));
    } else {
      log("install: " + command);
    }
  }
  LogFrame(const LogFrame&) = delete;
  LogFrame& operator=(const LogFrame&) = delete;
  ~LogFrame() {
    if (group_) group_("::endgroup::");
  }

 private:
  const LogLine& group_;
};

/// Runs `command` through /bin/sh in `env`, streaming its output (stderr joined to stdout) to
/// `log`; the error names the command and ends with its last lines.
Status run_command(const std::string& command, const python::VirtualEnv& env,
                   const std::filesystem::path& cwd, const LogLine& log) {
  process::Options options;
  options.env = env.activation();
  options.env.emplace("PIP_DISABLE_PIP_VERSION_CHECK", "1");  // no index request for a notice
  options.cwd = cwd;
  options.stderr_stream = process::Stream::to_stdout;
  // The one child started through a shell: the setting is a shell command line by nature
  // (`pip install -r requirements.txt && pip install -e .`), written by the project itself.
  Result<process::Subprocess> child =
      process::Subprocess::spawn({"/bin/sh", "-c", command}, options);
  if (!child) return child.error();
  std::string output;
  for (;;) {
    Result<std::optional<std::string>> line = child->read_line();
    if (!line || !*line) break;
    log(**line);
    output += **line + "\n";
  }
  std::optional<process::ExitStatus> status = child->wait();
  if (status && status->success()) return ok();
  return Error{fmt::format("the install command failed ({}): {}; its last lines:{}",
                           status ? status->describe() : "no exit status", command,
                           last_lines(output, kTailLines))};
}

}  // namespace

Result<python::VirtualEnv> install_dependencies(const config::Settings& settings,
                                                const LogLine& log, const LogLine& group) {
  Stopwatch stopwatch;
  LogFrame frame(log, group, settings.install);
  Result<std::string> base = base_interpreter(settings.python);
  if (!base) return base.error();
  Result<python::VirtualEnv> env = python::VirtualEnv::create(*base);
  if (!env) return env.error();
  log(fmt::format("install: virtual environment {} made from {}", env->folder().string(), *base));
  if (Status done = run_command(settings.install, *env, settings.working_directory, log); !done)
    return done.error();
  log(fmt::format("install: done in {:.1f} s; Alembic runs with {}", stopwatch.seconds(),
                  env->python().string()));
  return env;
}

}  // namespace ag
