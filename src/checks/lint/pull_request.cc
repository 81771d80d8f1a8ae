#include "checks/lint/pull_request.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "process/subprocess.h"
#include "util/file.h"
#include "util/text.h"

namespace ag::checks::lint {
namespace fs = std::filesystem;
namespace {

constexpr std::chrono::seconds kGitTimeout{60};

/// Runs `git <arguments>` in `folder` and returns its stdout. The repository is mounted from
/// the host in the action's container, owned by another user: safe.directory lets git read it.
Result<std::string> git(const fs::path& folder, std::vector<std::string> arguments) {
  std::vector<std::string> argv{"git", "-c", "safe.directory=*", "-C", folder.string()};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  process::Options options;
  options.timeout = kGitTimeout;
  Result<process::Completed> done = process::run(argv, options);
  if (!done) return done.error();
  if (!done->success()) {
    std::string why = done->timed_out ? "timed out" : std::string(trim(done->err));
    return Error{fmt::format("git {} failed: {}", arguments.front(),
                             why.empty() ? done->status.describe() : why)};
  }
  return std::move(done->out);
}

/// Whether `text` can name a commit: 4 to 64 hexadecimal digits (SHA-1 or SHA-256). Anything
/// else from an event file is refused before it reaches git's command line.
bool is_commit_id(std::string_view text) {
  return text.size() >= 4 && text.size() <= 64 &&
         std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isxdigit(c) != 0; });
}

}  // namespace

std::optional<std::string> pull_request_base(const config::Environment& env) {
  std::optional<std::string> path = env("GITHUB_EVENT_PATH");
  if (!path || path->empty()) return std::nullopt;
  Result<std::string> text = read_file(*path);
  if (!text) return std::nullopt;
  nlohmann::json event = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object()) return std::nullopt;
  const nlohmann::json* sha = &event;
  for (const char* key : {"pull_request", "base", "sha"}) {
    if (!sha->is_object() || !sha->contains(key)) return std::nullopt;
    sha = &(*sha)[key];
  }
  if (!sha->is_string() || sha->get<std::string>().empty()) return std::nullopt;
  return sha->get<std::string>();
}

Result<std::vector<fs::path>> changed_files(const fs::path& folder, const std::string& base) {
  if (!is_commit_id(base)) {
    return Error{
        fmt::format("the base commit '{}' is no commit id: pull_request.base.sha must be "
                    "hexadecimal",
                    base)};
  }
  Result<std::string> top = git(folder, {"rev-parse", "--show-toplevel"});
  if (!top) return top.error();
  Result<std::string> names = git(folder, {"diff", "--name-only", "-z", "--diff-filter=d",
                                           "--end-of-options", base + "...HEAD", "--"});
  if (!names) return names.error();
  fs::path root(trim(*top));
  std::vector<fs::path> files;
  for (size_t start = 0; start < names->size();) {
    size_t end = names->find('\0', start);
    if (end == std::string::npos) end = names->size();
    if (end > start) files.push_back((root / names->substr(start, end - start)).lexically_normal());
    start = end + 1;
  }
  return files;
}

}  // namespace ag::checks::lint
