#include "checks/missing_module.h"

#include <fmt/format.h>

#include <filesystem>

namespace ag::checks {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kPrefix = "ModuleNotFoundError: No module named '";
constexpr int kSearchDepth = 4;           // a package deeper in the repository is not looked for
constexpr size_t kSearchEntries = 50000;  // nor one past this many files and folders

bool skipped_folder(const fs::path& folder) {
  std::string name = folder.filename().string();
  return name.starts_with(".") || name == "node_modules" || name == "site-packages" ||
         name == "__pycache__" || name == "build" || name == "dist" || name == "venv";
}

/// Where `module` lives in the repository (a folder with __init__.py, or module.py), or empty.
/// Bounded (depth and entries), so that a large monorepo costs a fraction of a second.
fs::path search_repository(const fs::path& root, const std::string& module) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (size_t seen = 0; !ec && it != fs::recursive_directory_iterator() && seen < kSearchEntries;
       it.increment(ec), ++seen) {
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

std::string help_for(const std::string& module, const CheckContext& context) {
  const project::Project& project = context.project;
  if (size_t dot = module.rfind('.'); dot != std::string::npos) {
    return fmt::format(
        "Python imported {0} but it has no {1}: the {0} that is installed is another version "
        "than the project's code expects, or the name is misspelt; pin the version in what the "
        "`install` input installs",
        module.substr(0, dot), module);
  }
  fs::path found = search_repository(project.repository_root, module);
  if (!found.empty()) {
    return fmt::format(
        "{} is this repository's own code ({}), but Python does not find it when run in "
        "working-directory `{}`: set working-directory to `{}`, add that folder to "
        "prepend_sys_path in alembic.ini, or install it with the `install` input (e.g. `pip "
        "install -e .`)",
        module, project.relative(found), shown_folder(project.relative(project.working_directory)),
        shown_folder(project.relative(found.parent_path())));
  }
  return fmt::format(
      "{} is not installed for the Python that runs Alembic ({}): install the project's "
      "dependencies with the `install` input, e.g. `pip install -r requirements.txt` or `pip "
      "install -e .` (running `alembic upgrade head` where they are installed does not show this)",
      module, context.settings.python.empty() ? "python3" : context.settings.python);
}

}  // namespace

std::string missing_module(const Error& error) {
  if (!error.message.starts_with(kPrefix)) return "";
  std::string_view rest = std::string_view(error.message).substr(kPrefix.size());
  size_t end = rest.find('\'');
  return end == std::string_view::npos ? "" : std::string(rest.substr(0, end));
}

void explain_missing_module(Finding& finding, const Error& error, const CheckContext& context) {
  std::string module = missing_module(error);
  if (module.empty()) return;
  finding.cause = "missing-module:" + module;
  finding.help = help_for(module, context);
}

}  // namespace ag::checks
