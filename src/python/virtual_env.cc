#include "python/virtual_env.h"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "process/subprocess.h"
#include "util/text.h"

namespace ag::python {
namespace {

namespace fs = std::filesystem;

// venv installs pip from the wheel that ensurepip bundles: seconds, unless the machine is busy.
constexpr std::chrono::minutes kCreateTimeout{5};

Result<fs::path> make_folder() {
  std::error_code ec;
  fs::path root = fs::temp_directory_path(ec);
  if (ec) root = "/tmp";
  std::string pattern = (root / "alembic-gate-venv.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    return Error{fmt::format("cannot create a temporary folder in {}: {}", root.string(),
                             std::strerror(errno))};
  return fs::path(pattern);
}

}  // namespace

VirtualEnv::VirtualEnv(fs::path folder, process::CleanupGuard remove)
    : folder_(std::move(folder)), remove_(std::move(remove)) {}

Result<VirtualEnv> VirtualEnv::create(const std::string& base_python) {
  Result<fs::path> folder = make_folder();
  if (!folder) return folder.error();
  process::CleanupGuard remove("remove " + folder->string(), [path = *folder] {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  });
  process::Options options;
  options.timeout = kCreateTimeout;
  options.stderr_stream = process::Stream::to_stdout;
  Result<process::Completed> made = process::run(
      {base_python, "-m", "venv", "--system-site-packages", folder->string()}, options);
  if (!made) return made.error();
  if (!made->success())
    return Error{
        fmt::format("cannot create a virtual environment with {} ({}; Debian/Ubuntu: "
                    "apt-get install python3-venv):{}",
                    base_python, made->timed_out ? "timed out" : made->status.describe(),
                    last_lines(made->out, 10))};
  return VirtualEnv(std::move(*folder), std::move(remove));
}

std::map<std::string, std::optional<std::string>> VirtualEnv::activation() const {
  const char* path = std::getenv("PATH");
  std::string bin = (folder_ / "bin").string();
  return {{"VIRTUAL_ENV", folder_.string()},
          {"PATH", path != nullptr && *path != '\0' ? bin + ":" + path : bin},
          {"PYTHONHOME", std::nullopt}};
}

}  // namespace ag::python
