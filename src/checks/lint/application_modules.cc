#include "checks/lint/application_modules.h"

#include <algorithm>
#include <array>

#include "util/paths.h"
#include "util/text.h"

namespace ag::checks::lint {
namespace fs = std::filesystem;
namespace {

constexpr std::array<std::string_view, 2> kNeverApplication = {"alembic", "sqlalchemy"};

/// A folder Python can import as a package: it has `__init__.py` or any `.py` file in it.
bool is_package(const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return false;
  if (fs::exists(folder / "__init__.py", ec)) return true;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".py" && it->is_regular_file(ec)) return true;
  }
  return false;
}

bool is_inside(const fs::path& path, const fs::path& folder) {
  return !fs::path(relative_inside(path, folder)).is_absolute();
}

}  // namespace

ApplicationModules::ApplicationModules(const project::Project& project)
    : script_location_(project.script_location.lexically_normal()) {
  for (const fs::path& folder : {project.working_directory, project.repository_root}) {
    for (fs::path root : {folder, folder / "src"}) {
      root = root.lexically_normal();
      if (std::find(roots_.begin(), roots_.end(), root) == roots_.end()) roots_.push_back(root);
    }
  }
}

fs::path ApplicationModules::resolve(std::string_view module) const {
  std::vector<std::string> parts = split(module, ".");
  if (parts.empty() || std::find(kNeverApplication.begin(), kNeverApplication.end(),
                                 parts.front()) != kNeverApplication.end()) {
    return {};
  }
  for (const fs::path& root : roots_) {
    std::error_code ec;
    fs::path top = root / parts.front();
    if (!is_package(top) && !fs::is_regular_file(fs::path(top) += ".py", ec)) continue;
    fs::path resolved = root;
    for (const std::string& part : parts) resolved /= part;
    if (is_inside(resolved, script_location_)) return {};
    return is_package(top) ? top : fs::path(top) += ".py";
  }
  return {};
}

}  // namespace ag::checks::lint
