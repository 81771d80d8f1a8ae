#include "app/publish.h"

#include <fmt/format.h>

#include <sstream>

#include "report/reporters.h"
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

std::string stdout_text(const Report& report, const Publication& where, const Console& console) {
  std::ostringstream text;
  if (where.format == "github") {
    write_github(report, text, {console.token()});
  } else if (where.format == "json") {
    write_json(report, text);
  } else {
    write_text(report, text, {where.color});
  }
  return text.str();
}

class Writer {
 public:
  /// Writes `text`; remembers the first failure as "cannot write the WHAT: reason".
  void write(std::string_view what, const std::filesystem::path& path, const std::string& text,
             WriteMode mode = WriteMode::replace) {
    Status written = write_file(path, text, mode);
    if (!written && !first_error_) {
      first_error_ = Error{fmt::format("cannot write the {}: {}", what, written.error().message),
                           written.error().where};
    }
  }

  Status status() const { return first_error_ ? Status(*first_error_) : ok(); }

 private:
  std::optional<Error> first_error_;
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

}  // namespace

Status publish(const Report& report, const config::Settings& settings,
               const config::Environment& env, const Publication& where, Console& console) {
  console.print(stdout_text(report, where, console));
  Writer writer;
  std::filesystem::path folder(settings.working_directory);
  std::string report_json;
  if (!settings.json_file.empty()) {
    std::filesystem::path path = folder / settings.json_file;
    writer.write("JSON report", path, rendered(report, write_json));
    // Later steps run in the workspace: a repository-relative path is the one they can open.
    report_json = relative_inside(path, report.repository_root);
  }
  if (!settings.sarif_file.empty()) {
    writer.write("SARIF report", folder / settings.sarif_file, rendered(report, write_sarif));
  }
  if (std::string summary = variable(env, "GITHUB_STEP_SUMMARY"); !summary.empty()) {
    writer.write("job summary", summary, job_summary(report, {blob_url(env)}), WriteMode::append);
  }
  if (std::string outputs = variable(env, "GITHUB_OUTPUT"); !outputs.empty()) {
    writer.write("step outputs", outputs,
                 step_outputs(report, report_json, "ghadelimiter_" + random_hex(16)),
                 WriteMode::append);
  }
  return writer.status();
}

}  // namespace ag
