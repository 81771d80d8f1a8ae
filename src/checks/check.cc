#include "checks/check.h"

#include <chrono>

namespace ag::checks {
namespace {

constexpr RuleInfo kRules[] = {
    {"infrastructure", "alembic-gate", Severity::error, "A check could not run.",
     "The database server was unreachable, the role could not create databases, or no Python "
     "could import Alembic: the verdict is incomplete and the run exits with code 3.",
     "Follow the message: fix database-url (inside the action a workflow service is reached by "
     "its label, not localhost), grant CREATEDB, or install Alembic for the interpreter in "
     "`python`."},
    {"install-failed", "install", Severity::error, "The install command failed.",
     "The `install` setting's command (e.g. `pip install -r requirements.txt`) exited with an "
     "error, so the project's own packages are missing and no check ran.",
     "Run the command locally in a fresh virtual environment; the finding ends with its last "
     "lines of output."},
    {"invalid-setting", "settings", Severity::error, "A setting is invalid.",
     "An input, flag, alembic-gate.toml key or database-url cannot be used as given, so no check "
     "ran (exit code 2). The job summary and the step outputs (result=error) say so too.",
     "Fix the input, flag or file the message names."},
    {"alembic-config", "project", Severity::error,
     "The project's Alembic configuration cannot be read.",
     "alembic.ini (or [tool.alembic] in pyproject.toml), its script_location or a version folder "
     "is missing or malformed, so no check can run.",
     "Point working-directory and alembic-config at the project, and fix the file the message "
     "names."},
};

}  // namespace

alembic::WorkerOptions offline_worker_options(const CheckContext& context) {
  alembic::WorkerOptions options;
  options.python = context.settings.python;
  options.project_dir = context.project.working_directory;
  options.config_file = context.project.config_file;
  options.url = sandbox::with_project_driver("postgresql://alembic-gate@127.0.0.1:1/offline",
                                             context.project.sqlalchemy_url);
  options.url_env = context.settings.database_url_env;
  options.step_timeout = std::chrono::seconds(context.settings.step_timeout);
  return options;
}

const DeployState* deploy_state(const CheckContext& context) {
  if (context.earlier == nullptr) return nullptr;
  for (const CheckOutcome& outcome : *context.earlier)
    if (outcome.deploy) return &*outcome.deploy;
  return nullptr;
}

const std::map<std::string, std::vector<RanStatement>>* ran_sql(const CheckContext& context) {
  if (context.earlier == nullptr) return nullptr;
  for (const CheckOutcome& outcome : *context.earlier)
    if (!outcome.ran_sql.empty()) return &outcome.ran_sql;
  return nullptr;
}

CheckOutcome infrastructure_failure(std::string_view check, const Error& error) {
  CheckOutcome outcome{.name = std::string(check), .status = CheckStatus::error};
  outcome.findings.push_back({.check = std::string(check),
                              .rule = "infrastructure",
                              .severity = Severity::error,
                              .message = error.describe() + "; the check could not run"});
  return outcome;
}

std::span<const RuleInfo> general_rules() {
  return kRules;
}

}  // namespace ag::checks
