// A module env.py, the models or a migration imports that the interpreter lacks: the project's
// set-up, not its migrations. Every check that runs env.py meets it; the first to say it marks
// its finding with a cause, and the pipeline says each cause once (app/pipeline.cc).
#pragma once

#include <string>

#include "checks/check.h"
#include "core/finding.h"
#include "util/result.h"

namespace ag::checks {

/// The module `error` says is missing ("ModuleNotFoundError: No module named 'billing.models'"
/// gives "billing.models": Python names the first part of a dotted import it could not find),
/// or "" when it says something else.
std::string missing_module(const Error& error);

/// When `error` is a missing module: `finding` gets the cause "missing-module:NAME" and help
/// that points at what fixes it: the `install` input; working-directory or prepend_sys_path when
/// the module is a package of this repository (found within 4 folders of its root); the
/// installed version when a package imported but lacks the submodule. Otherwise `finding` stays
/// as it is.
void explain_missing_module(Finding& finding, const Error& error, const CheckContext& context);

}  // namespace ag::checks
