// Which imports of a migration are the application's own code, for the imports-app-code rule.
//
// A module is the application's when it resolves to a package or module inside the repository:
// `a.b` is the application's when one of the import roots holds a package `a/` (a folder with
// `__init__.py` or any `.py` file directly in it) or a module `a.py`, and the path it resolves
// to is not inside the Alembic script folder (helpers kept beside the migrations are frozen with
// them). The import roots are the working directory and the repository root, and the `src/`
// folder of each (the "src layout"). `alembic` and `sqlalchemy` are never the application's,
// even when a folder of that name exists.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "project/project.h"

namespace ag::checks::lint {

class ApplicationModules {
 public:
  explicit ApplicationModules(const project::Project& project);

  /// The folder or file of the repository that the absolute dotted module `module` resolves to
  /// when it is the application's code; empty otherwise.
  std::filesystem::path resolve(std::string_view module) const;

 private:
  std::vector<std::filesystem::path> roots_;
  std::filesystem::path script_location_;
};

}  // namespace ag::checks::lint
