#include "app/run.h"

#include <fmt/format.h>

#include <fstream>

#include "app/install.h"
#include "app/pipeline.h"
#include "config/command_line.h"
#include "config/resolve.h"
#include "report/reporters.h"
#include "version.h"

namespace ag {
namespace {

bool in_github_actions(const config::Environment& env) {
  return env("GITHUB_ACTIONS").value_or("") == "true";
}

std::string resolved_format(const config::Settings& settings, const config::Environment& env) {
  if (settings.format != "auto") return settings.format;
  return in_github_actions(env) ? "github" : "text";
}

void write_report(const Report& report, std::string_view format, std::ostream& out) {
  if (format == "github") {
    write_github(report, out);
  } else if (format == "json") {
    write_json(report, out);
  } else {
    write_text(report, out);
  }
}

/// Writes the report files the settings ask for; a file that cannot be written is an error.
Status write_report_files(const Report& report, const config::Settings& settings) {
  if (settings.json_file.empty()) return ok();
  std::filesystem::path path =
      std::filesystem::path(settings.working_directory) / settings.json_file;
  std::ofstream file(path);
  if (file) write_json(report, file);
  file.close();  // a full disk shows only when the buffer is flushed
  if (!file) return Error{"cannot write the JSON report", path.string()};
  return ok();
}

/// Settings that name features of later versions get a notice rather than silence.
void note_unavailable_settings(const config::Settings& settings, Report& report) {
  if (settings.sarif_file.empty() || report.checks.empty()) return;
  report.checks.front().findings.push_back(
      {"settings", "setting-unavailable", Severity::notice,
       "sarif-file is not available in this version; no SARIF report was written", "", 0, 0, "",
       ""});
}

/// Runs the install setting, if any, and points settings.python at the virtual environment it
/// made; the caller keeps that environment until the checks are done.
Result<std::optional<python::VirtualEnv>> install(config::Settings& settings,
                                                  const config::Environment& env,
                                                  const pg::LogLine& log) {
  if (settings.install.empty()) return std::optional<python::VirtualEnv>();
  Result<python::VirtualEnv> made = install_dependencies(settings, in_github_actions(env), log);
  if (!made) return made.error();
  settings.python = made->python().string();
  return std::optional<python::VirtualEnv>(std::move(*made));
}

ExitCode exit_code(const Report& report) {
  if (report.broken()) return ExitCode::infrastructure;  // the verdict is incomplete
  return report.failed() ? ExitCode::failed : ExitCode::passed;
}

}  // namespace

ExitCode run(int argc, const char* const* argv, const config::Environment& env, std::ostream& out,
             std::ostream& err) {
  Result<config::CommandLine> command_line = config::parse_command_line(argc, argv);
  if (!command_line) {
    err << "alembic-gate: " << command_line.error().describe() << "\n";
    return ExitCode::usage;
  }
  if (command_line->help) {
    out << config::help_text();
    return ExitCode::passed;
  }
  if (command_line->version) {
    out << "alembic-gate " << kVersion << "\n";
    return ExitCode::passed;
  }
  Result<config::Settings> settings = config::resolve_settings(command_line->values, env);
  if (!settings) {
    err << "alembic-gate: " << settings.error().describe() << "\n";
    return ExitCode::usage;
  }
  std::string format = resolved_format(*settings, env);
  std::filesystem::path root = project::find_repository_root(settings->working_directory,
                                                             env("GITHUB_WORKSPACE").value_or(""));
  Result<project::Project> project = project::discover(*settings, root);
  if (!project) {
    project::Project partial;
    partial.working_directory = settings->working_directory;
    partial.repository_root = root;
    write_report(setup_failure(*settings, partial, project.error()), format, out);
    return ExitCode::usage;
  }
  pg::LogLine log = [&err](const std::string& line) {
    err << line << (line.ends_with('\n') ? "" : "\n");
    err.flush();
  };
  Result<std::optional<python::VirtualEnv>> environment = install(*settings, env, log);
  Report report = environment ? run_pipeline(*settings, *project, log)
                              : install_failure(*settings, *project, environment.error());
  note_unavailable_settings(*settings, report);
  write_report(report, format, out);
  if (Status written = write_report_files(report, *settings); !written) {
    err << "alembic-gate: " << written.error().describe() << "\n";
    return ExitCode::usage;
  }
  return exit_code(report);
}

}  // namespace ag
