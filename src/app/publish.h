// Everything a run hands out once the report is made: stdout in the chosen format, the report
// files, and inside GitHub Actions the job summary and the step outputs.
#pragma once

#include <string>

#include "app/console.h"
#include "config/raw_value.h"
#include "config/settings.h"
#include "report/report.h"
#include "util/result.h"

namespace ag {

struct Publication {
  std::string format;  ///< text | github | json (resolved)
  bool color = false;  ///< For text.
};

/// Prints `report` through `console` in `where.format`; writes json-file and sarif-file
/// (relative to working-directory); appends the job summary to GITHUB_STEP_SUMMARY and the
/// outputs to GITHUB_OUTPUT when those variables name files. Every file is attempted; the first
/// that cannot be written is the error ("cannot write the SARIF report: ...").
/// `report` must already be redacted().
Status publish(const Report& report, const config::Settings& settings,
               const config::Environment& env, const Publication& where, Console& console);

}  // namespace ag
