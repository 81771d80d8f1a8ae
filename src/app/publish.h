// Everything a run hands out once the report is made: stdout in the chosen format, the report
// files, and inside GitHub Actions the job summary and the step outputs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/console.h"
#include "app/exit_code.h"
#include "config/raw_value.h"
#include "config/settings.h"
#include "core/report.h"
#include "util/result.h"

namespace ag {

struct Publication {
  config::OutputFormat format;  ///< text, github or json (never automatic)
  bool color = false;           ///< For text.
};

/// The files publish() could not write, and what that means for the exit code.
struct PublishFailure {
  /// One per file: "cannot write the job summary (GITHUB_STEP_SUMMARY): <the system's reason>"
  /// at the file's path.
  std::vector<Error> errors;
  /// usage for json-file, sarif-file and sql-file (settings name them); infrastructure for the
  /// runner's GITHUB_STEP_SUMMARY and GITHUB_OUTPUT; the gravest when several failed.
  ExitCode exit_code = ExitCode::usage;
};

/// Writes json-file, sarif-file and sql-file (relative to working-directory), appends the job
/// summary to GITHUB_STEP_SUMMARY and the outputs to GITHUB_OUTPUT when those variables name files
/// (the report-json, report-sarif and sql-file outputs only for the files written), then prints
/// `report` through `console` in `where.format`; in GitHub's log (workflow commands on) format text
/// is printed verbatim, so that no message can run a command. Every file is attempted; each that
/// cannot be written is in the failure, and the github format keeps an error annotation free for
/// each, for the caller to report them. `report` must already be redacted().
std::optional<PublishFailure> publish(const Report& report, const config::Settings& settings,
                                      const config::Environment& env, const Publication& where,
                                      Console& console);

/// For a run that stopped at its settings (exit 2, the error already printed): the job summary
/// and the outputs still say so (result=error, failed-checks=settings), so that the pull request
/// shows why. No report files: their own settings may be what is wrong.
std::optional<PublishFailure> publish_usage_error(const Error& error,
                                                  const config::Environment& env,
                                                  const Secrets& secrets);

}  // namespace ag
