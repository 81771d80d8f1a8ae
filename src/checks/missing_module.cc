#include "checks/missing_module.h"

#include <fmt/format.h>

#include <filesystem>

namespace ag::checks {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kPrefix = "ModuleNotFoundError: No module named '";
constexpr int kSearchDepth = 4;  // a package deeper in the repository than this is not looked for

bool skipped_folder(const fs::path& folder) {
  std::string name = folder.filename().string();
  return name.starts_with(".") || name == "node_modules" || name == "site-packages" ||
         name == "__pycache__";
}

/// Where `module` lives in the repository (a folder with __init__.py, or module.py), or empty.
fs::path find_in_repository(const fs::path& root, const std::string& module) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    if (entry.is_directory(ec) && !entry.is_symlink(ec)) {
      if (skipped_folder(entry.path()) || it.depth() >= kSearchDepth) {
        it.disable_recursion_pending();
        continue;
      }
      if (entry.path().filename() == module && fs::exists(entry.path() / "__init__.py", ec))
        return entry.path();
    } else if (entry.path().filename() == module + ".py") {
      return entry.path();
    }
  }
  return {};
}

std::string shown_folder(std::string relative) {
  return relative.empty() ? "." : relative;
}

}  // namespace

std::string missing_module(const Error& error) {
  if (!error.message.starts_with(kPrefix)) return "";
  std::string_view rest = std::string_view(error.message).substr(kPrefix.size());
  size_t end = rest.find_first_of(".'");
  return end == std::string_view::npos ? "" : std::string(rest.substr(0, end));
}

void explain_missing_module(Finding& finding, const Error& error, const CheckContext& context) {
  std::string module = missing_module(error);
  if (module.empty()) return;
  finding.cause = "missing-module:" + module;
  const project::Project& project = context.project;
  fs::path found = find_in_repository(project.repository_root, module);
  if (!found.empty()) {
    finding.help = fmt::format(
        "{} is this repository's own code ({}), but Python does not find it when run in "
        "working-directory `{}`: set working-directory to the folder it is imported from, add "
        "that folder to prepend_sys_path in alembic.ini, or install it with the `install` input "
        "(e.g. `pip install -e .`)",
        module, project.relative(found), shown_folder(project.relative(project.working_directory)));
    return;
  }
  finding.help = fmt::format(
      "{} is not installed for the Python that runs Alembic ({}): install the project's "
      "dependencies with the `install` input, e.g. `pip install -r requirements.txt` or `pip "
      "install -e .` (running `alembic upgrade head` where they are installed does not show this)",
      module, context.settings.python.empty() ? "python3" : context.settings.python);
}

}  // namespace ag::checks
