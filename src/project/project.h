// Where a project's Alembic set-up lives: the ini (or [tool.alembic] in pyproject.toml), the
// script location, the version folders and the revision files in them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/settings.h"
#include "util/result.h"

namespace ag::project {

namespace fs = std::filesystem;

struct Project {
  fs::path working_directory;
  fs::path repository_root;  ///< Finding paths are relative to this.
  fs::path config_file;      ///< alembic.ini, or pyproject.toml when only [tool.alembic] is used.
  fs::path script_location;
  std::vector<fs::path> version_locations;
  bool recursive_version_locations = false;
  std::string file_template;   ///< Alembic's default when unset.
  std::string sqlalchemy_url;  ///< sqlalchemy.url of the ini as written (often a placeholder).
  std::vector<fs::path> revision_files;  ///< Sorted; what Alembic would load.

  /// `path` relative to the repository root, as findings carry it.
  std::string relative(const fs::path& path) const;
};

/// The repository root: GITHUB_WORKSPACE when it contains `folder`, else the nearest folder
/// upwards holding .git, else `folder` itself.
fs::path find_repository_root(const fs::path& folder, const std::string& github_workspace);

/// Reads the Alembic configuration with Alembic's rules and lists the revision files.
/// Errors name the missing or malformed path (file:line where there is one).
Result<Project> discover(const config::Settings& settings, const fs::path& repository_root);

/// Alembic's rule for which file names in a versions folder are revision scripts.
bool is_revision_file_name(const std::string& name);

}  // namespace ag::project
