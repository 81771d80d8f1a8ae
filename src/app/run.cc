#include "app/run.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "app/console.h"
#include "app/install.h"
#include "app/pipeline.h"
#include "app/publish.h"
#include "checks/registry/registry.h"
#include "config/command_line.h"
#include "config/resolve.h"
#include "pg/database_url.h"
#include "report/progress.h"
#include "report/reporters.h"
#include "sandbox/setup_sql.h"
#include "version.h"

namespace ag {
namespace {

bool in_github_actions(const config::Environment& env) {
  return env("GITHUB_ACTIONS").value_or("") == "true";
}

/// The format setting with `auto` decided.
config::OutputFormat resolved_format(const Result<config::Settings>& settings,
                                     const config::Environment& env) {
  using config::OutputFormat;
  if (settings && settings->format != OutputFormat::automatic) return settings->format;
  return in_github_actions(env) ? OutputFormat::github : OutputFormat::text;
}

/// The credentials of every database URL the run may have been given (database-url and
/// target-database-url), known before anything is printed: the action input, the flag, and the
/// resolved setting (which may come from the file).
Secrets credentials(const config::Environment& env, const Result<config::CommandLine>& command_line,
                    const Result<config::Settings>& settings) {
  Secrets secrets;
  for (std::string key : {"database-url", "target-database-url"}) {
    if (std::optional<std::string> input = env(config::input_variable(key)))
      secrets.add(pg::url_secrets(*input));
    if (command_line) {
      auto flag = command_line->values.find(key);
      if (flag != command_line->values.end()) secrets.add(pg::url_secrets(flag->second.text));
    }
  }
  if (!settings) return secrets;
  secrets.add(pg::url_secrets(settings->database_url));
  secrets.add(pg::url_secrets(settings->target_database_url));
  if (!settings->target_database_url_env.empty()) {  // the deploy gate's target, from a secret
    if (std::optional<std::string> held = env(settings->target_database_url_env))
      secrets.add(pg::url_secrets(*held));
  }
  return secrets;
}

/// NO_COLOR (any non-empty value, see no-color.org) and --no-color win over a terminal.
bool use_color(const config::CommandLine& command_line, const config::Environment& env,
               bool out_is_terminal) {
  return out_is_terminal && !command_line.no_color && env("NO_COLOR").value_or("").empty();
}

/// Runs the install setting, if any, and points settings.python at the virtual environment it
/// made; the caller keeps that environment until the checks are done.
Result<std::optional<python::VirtualEnv>> install(config::Settings& settings,
                                                  const config::Environment& env, Console& console,
                                                  const LogLine& log) {
  if (settings.install.empty()) return std::optional<python::VirtualEnv>();
  LogLine group;  // on GitHub the install's output is folded into a group
  if (in_github_actions(env))
    group = [&console](const std::string& line) { console.command(line); };
  Result<python::VirtualEnv> made = install_dependencies(settings, log, group);
  if (!made) return made.error();
  settings.python = made->python().string();
  return std::optional<python::VirtualEnv>(std::move(*made));
}

/// In GitHub's log each check's own lines (Alembic's output, tracebacks, retries) fold into a
/// group opened when the check starts; its last line gives the check's status and duration.
/// The annotations come after the checks, outside any group (write_github).
PipelineObserver log_groups(Console& console) {
  return {[&console](const std::string& check) { console.command("::group::" + check); },
          [&console](const CheckOutcome& outcome) {
            console.command(check_line(outcome));
            console.command("::endgroup::");
          }};
}

/// Whether the settings can be used; the error says what makes them unusable (exit 2): a bad
/// flag, input or file, a check's own settings, an unreadable setup-sql file, a malformed
/// database-url (a setting to fix, not a server down).
Status usable(const Result<config::Settings>& settings) {
  if (!settings) return settings.error();
  if (Status checks = checks::registry::validate_settings(*settings); !checks) return checks;
  if (Result<std::string> setup = sandbox::setup_statements(*settings); !setup)
    return setup.error();
  if (settings->database_url.empty()) return ok();
  if (Result<pg::DatabaseUrl> url = pg::parse_database_url(settings->database_url); !url)
    return url.error();
  return ok();
}

/// The variable target-database-url-env names is removed from this process's environment:
/// nothing it starts (install, env.py, the migrations of the scratch databases) inherits the
/// production URL. With pending among the checks and no target-database-url, its value becomes
/// that (an unset variable or a malformed URL is exit 2).
Status take_target_url(config::Settings& settings, const config::Environment& env) {
  const std::string& name = settings.target_database_url_env;
  if (name.empty()) return ok();
  std::string value = env(name).value_or("");
  ::unsetenv(name.c_str());  // whatever follows: the secret stays with the gate
  bool wanted =
      std::find(settings.checks.begin(), settings.checks.end(), "pending") != settings.checks.end();
  if (!wanted || !settings.target_database_url.empty()) return ok();
  if (value.empty()) {
    return Error{
        fmt::format("target-database-url-env names {}, which is not set or empty in the "
                    "environment: set it from a secret in the step's `env:`",
                    name)};
  }
  if (Result<pg::DatabaseUrl> url = pg::parse_database_url(value); !url)
    return Error{fmt::format("{} (target-database-url-env): {}", name, url.error().message)};
  settings.target_database_url = value;
  return ok();
}

ExitCode exit_code(const Report& report) {
  if (report.broken()) return ExitCode::infrastructure;  // the verdict is incomplete
  return report.failed() ? ExitCode::failed : ExitCode::passed;
}

}  // namespace

ExitCode run(int argc, const char* const* argv, const config::Environment& env, std::ostream& out,
             std::ostream& err, bool out_is_terminal) {
  Result<config::CommandLine> command_line = config::parse_command_line(argc, argv);
  if (command_line && command_line->help) {
    out << config::help_text();
    return ExitCode::passed;
  }
  if (command_line && command_line->version) {
    out << "alembic-gate " << kVersion << "\n";
    return ExitCode::passed;
  }
  Result<config::Settings> settings =
      command_line
          ? config::resolve_settings(command_line->values, env, checks::registry::check_names())
          : Result<config::Settings>(command_line.error());
  config::OutputFormat format = resolved_format(settings, env);
  // Masks before anything else is printed; stdout stays pure JSON for format json.
  Console console(out, err, credentials(env, command_line, settings),
                  format == config::OutputFormat::github || in_github_actions(env),
                  format == config::OutputFormat::json ? err : out);
  console.mask();
  Status ready = usable(settings);
  if (ready) ready = take_target_url(*settings, env);
  if (!ready) {
    console.error(ready.error().describe());
    if (std::optional<PublishFailure> failure =
            publish_usage_error(ready.error(), env, console.secrets())) {
      for (const Error& error : failure->errors) console.error(error.describe());
    }
    return ExitCode::usage;
  }
  Publication where{format, use_color(*command_line, env, out_is_terminal)};
  std::filesystem::path root = project::find_repository_root(settings->working_directory,
                                                             env("GITHUB_WORKSPACE").value_or(""));
  Result<project::Project> project = project::discover(*settings, root);
  Report report;
  ExitCode code = ExitCode::usage;
  if (!project) {
    project::Project partial;
    partial.working_directory = settings->working_directory;
    partial.repository_root = root;
    report = setup_failure(*settings, partial, project.error());
  } else {
    LogLine log = [&console](const std::string& text) { console.log(text); };
    // The virtual environment lives until the checks are done.
    Result<std::optional<python::VirtualEnv>> environment = install(*settings, env, console, log);
    PipelineObserver observer;
    std::optional<CheckProgress> progress;
    if (format == config::OutputFormat::text) {
      progress.emplace(log);
      observer = {[&](const std::string& check) { progress->started(check); },
                  [&](const CheckOutcome& outcome) { progress->finished(outcome); }};
    } else if (format == config::OutputFormat::github) {
      observer = log_groups(console);
    }
    report = environment ? run_pipeline(*settings, *project, log, env, observer)
                         : install_failure(*settings, *project, environment.error());
    code = exit_code(report);
  }
  if (std::optional<PublishFailure> failure =
          publish(redacted(std::move(report), console.secrets()), *settings, env, where, console)) {
    for (const Error& error : failure->errors) console.error(error.describe());
    return std::max(code, failure->exit_code);
  }
  return code;
}

}  // namespace ag
