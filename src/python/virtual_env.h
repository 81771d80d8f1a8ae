// A Python virtual environment made for one run: created with --system-site-packages (so
// Debian's Alembic, SQLAlchemy and drivers stay importable, and Debian's Python, which refuses
// system-wide pip installs, accepts them here) in a temporary folder that is removed with it.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "process/interrupts.h"
#include "util/result.h"

namespace ag::python {

class VirtualEnv {
 public:
  /// Runs `base_python -m venv --system-site-packages` on a new folder in the temporary
  /// directory. The folder is removed when the VirtualEnv is destroyed, or on SIGINT/SIGTERM.
  /// Errors: no temporary folder, or venv failed (the message ends with its last lines and
  /// names the Debian package that provides venv).
  static Result<VirtualEnv> create(const std::string& base_python);

  VirtualEnv(VirtualEnv&&) noexcept = default;
  VirtualEnv& operator=(VirtualEnv&&) noexcept = default;
  ~VirtualEnv() = default;

  const std::filesystem::path& folder() const { return folder_; }
  /// The environment's interpreter (bin/python).
  std::filesystem::path python() const { return folder_ / "bin" / "python"; }
  /// Environment changes for a child that runs "inside" it, as `activate` would make them:
  /// VIRTUAL_ENV set, its bin first on PATH, no PYTHONHOME.
  std::map<std::string, std::optional<std::string>> activation() const;

 private:
  VirtualEnv(std::filesystem::path folder, process::CleanupGuard remove);

  std::filesystem::path folder_;
  process::CleanupGuard remove_;
};

}  // namespace ag::python
