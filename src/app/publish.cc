#include "app/publish.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "checks/registry/registry.h"
#include "report/reporters.h"
#include "report/workflow_commands.h"
#include "util/file.h"
#include "util/paths.h"
#include "util/random.h"

namespace ag {
namespace {

using Render = void (*)(const Report&, std::ostream&);

std::string rendered(const Report& report, Render render) {
  std::ostringstream text;
  render(report, text);
  return text.str();
}

/// The report for stdout. Text inside GitHub's log is wrapped: its messages quote Alembic,
/// tracebacks and file names, and the runner reads a line starting with "::" (after blanks) as
/// a command.
std::string stdout_text(const Report& report, const Publication& where, const Console& console,
                        size_t reserved_errors) {
  std::ostringstream text;
  if (where.format == config::OutputFormat::github) {
    GithubOptions options{console.token()};
    options.reserved_errors = reserved_errors;
    write_github(report, text, options);
  } else if (where.format == config::OutputFormat::json) {
    write_json(report, text);
  } else {
    write_text(report, text, {where.color});
    if (console.workflow_commands()) return verbatim(text.str(), console.token());
  }
  return text.str();
}

/// Writes the files and keeps every failure, with the gravest exit code among them.
class Writer {
 public:
  /// Writes `text`; a failure is "cannot write the WHAT (SETTING): reason" at the path.
  /// Returns whether the file was written.
  bool write(std::string_view what, std::string_view setting, ExitCode if_failed,
             const std::filesystem::path& path, const std::string& text,
             WriteMode mode = WriteMode::replace) {
    Status written = write_file(path, text, mode);
    if (written) return true;
    if (!failure_) failure_ = PublishFailure{{}, if_failed};
    failure_->errors.push_back(
        Error{fmt::format("cannot write the {} ({}): {}", what, setting, written.error().message),
              written.error().where});
    failure_->exit_code = std::max(failure_->exit_code, if_failed);
    return false;
  }

  const std::optional<PublishFailure>& failure() const { return failure_; }

 private:
  std::optional<PublishFailure> failure_;
};

std::string variable(const config::Environment& env, const std::string& name) {
  return env(name).value_or("");
}

/// GITHUB_SERVER_URL/GITHUB_REPOSITORY/blob/GITHUB_SHA, or "" when one is missing.
std::string blob_url(const config::Environment& env) {
  std::string server = variable(env, "GITHUB_SERVER_URL");
  std::string repository = variable(env, "GITHUB_REPOSITORY");
  std::string sha = variable(env, "GITHUB_SHA");
  if (server.empty() || repository.empty() || sha.empty()) return "";
  return fmt::format("{}/{}/blob/{}", server, repository, sha);
}

/// Appends the job summary to GITHUB_STEP_SUMMARY and the outputs to GITHUB_OUTPUT, when those
/// variables name files (the runner's file commands).
void write_runner_files(Writer& writer, const Report& report, const WrittenReports& written,
                        const config::Environment& env) {
  if (std::string summary = variable(env, "GITHUB_STEP_SUMMARY"); !summary.empty()) {
    writer.write("job summary", "GITHUB_STEP_SUMMARY", ExitCode::infrastructure, summary,
                 job_summary(report, {blob_url(env)}), WriteMode::append);
  }
  if (std::string outputs = variable(env, "GITHUB_OUTPUT"); !outputs.empty()) {
    writer.write("step outputs", "GITHUB_OUTPUT", ExitCode::infrastructure, outputs,
                 step_outputs(report, written, "ghadelimiter_" + random_hex(16)),
                 WriteMode::append);
  }
}

}  // namespace

std::optional<PublishFailure> publish(const Report& report, const config::Settings& settings,
                                      const config::Environment& env, const Publication& where,
                                      Console& console) {
  Writer writer;
  std::filesystem::path folder(settings.working_directory);
  // Later steps run in the workspace: a repository-relative path is the one they can open.
  WrittenReports written;
  if (!settings.json_file.empty()) {
    std::filesystem::path path = folder / settings.json_file;
    if (writer.write("JSON report", "json-file", ExitCode::usage, path,
                     rendered(report, write_json)))
      written.json = relative_inside(path, report.repository_root);
  }
  if (!settings.sarif_file.empty()) {
    std::filesystem::path path = folder / settings.sarif_file;
    if (writer.write("SARIF report", "sarif-file", ExitCode::usage, path,
                     rendered(report, [](const Report& done, std::ostream& out) {
                       write_sarif(done, checks::registry::all_rules(), out);
                     })))
      written.sarif = relative_inside(path, report.repository_root);
  }
  if (!settings.sql_file.empty()) {
    std::filesystem::path path = folder / settings.sql_file;
    if (writer.write("SQL file", "sql-file", ExitCode::usage, path, sql_file_text(report)))
      written.sql = relative_inside(path, report.repository_root);
  }
  write_runner_files(writer, report, written, env);
  console.print(
      stdout_text(report, where, console, writer.failure() ? writer.failure()->errors.size() : 0));
  return writer.failure();
}

std::optional<PublishFailure> publish_usage_error(const Error& error,
                                                  const config::Environment& env,
                                                  const Secrets& secrets) {
  Report report;
  report.checks.push_back(
      {.name = "settings",
       .status = CheckStatus::error,
       .findings = {{.check = "settings",
                     .rule = "invalid-setting",
                     .message = error.describe(),
                     .help = "fix the input, flag or file the message names"}}});
  Writer writer;
  write_runner_files(writer, redacted(std::move(report), secrets), {}, env);
  return writer.failure();
}

}  // namespace ag
