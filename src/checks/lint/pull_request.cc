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
  options.env.emplace("GIT_TERMINAL_PROMPT",
                      "0");  // a fetch that needs credentials fails, never asks
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

/// The parents `commit` names in its own object, in order, even in a shallow clone, where git
/// hides the parents that were not fetched; none when git cannot say.
std::vector<std::string> parents_of(const fs::path& folder, const std::string& commit) {
  Result<std::string> object = git(folder, {"cat-file", "commit", commit});
  std::vector<std::string> parents;
  if (!object) return parents;
  constexpr std::string_view kParent = "\nparent ";
  std::string_view text = *object;
  text = text.substr(0, text.find("\n\n"));  // the header, not the message
  for (size_t at = text.find(kParent); at != std::string_view::npos;
       at = text.find(kParent, at + 1)) {
    std::string_view parent = text.substr(at + kParent.size());
    parents.emplace_back(parent.substr(0, parent.find('\n')));
  }
  return parents;
}

/// The base of the merge commit actions/checkout checks out for a pull request (the pull request
/// merged into its base: two parents, the base first), fetched into the clone when missing (one
/// commit, its trees only, with the credentials the checkout leaves); "" when HEAD is no such
/// merge or the fetch fails.
std::string merged_base(const fs::path& folder) {
  std::vector<std::string> parents = parents_of(folder, "HEAD");
  if (parents.size() != 2 || !is_commit_id(parents[0])) return "";
  const std::string& base = parents[0];
  if (git(folder, {"cat-file", "-e", base + "^{commit}"})) return base;
  Result<std::string> fetched =
      git(folder, {"fetch", "--no-tags", "--no-recurse-submodules", "--depth=1",
                   "--filter=blob:none", "origin", "--end-of-options", base});
  return fetched ? base : "";
}

/// The files the pull request adds or changes, NUL-separated, as `git diff --name-only -z`
/// says. From their merge base when the history is there; else, when HEAD is the merge commit
/// actions/checkout makes of a pull request, from that merge's base: the merge commit holds it
/// plus exactly the pull request's changes. No rename detection: it would need the files'
/// contents, which a fetch of trees lacks, and a renamed file is added under its new name.
Result<std::string> changed_names(const fs::path& folder, const std::string& base) {
  auto names_between = [&](const std::string& range) {
    return git(folder, {"diff", "--name-only", "-z", "--no-renames", "--diff-filter=d",
                        "--end-of-options", range, "--"});
  };
  Result<std::string> names = names_between(base + "...HEAD");
  if (names) return names;
  std::string merged = merged_base(folder);
  if (merged.empty()) return names.error();  // what the user can act on: the missing base
  return names_between(merged + "..HEAD");
}

}  // namespace

Result<std::optional<std::string>> pull_request_base(const config::Environment& env) {
  std::optional<std::string> path = env("GITHUB_EVENT_PATH");
  if (!path || path->empty()) return std::optional<std::string>();
  Result<std::string> text = read_file(*path);
  if (!text)
    return Error{
        fmt::format("the event file {} (GITHUB_EVENT_PATH): {}", *path, text.error().message)};
  nlohmann::json event = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (event.is_discarded())
    return Error{fmt::format("the event file {} (GITHUB_EVENT_PATH) holds no JSON", *path)};
  if (!event.is_object()) return std::optional<std::string>();
  const nlohmann::json* sha = &event;
  for (const char* key : {"pull_request", "base", "sha"}) {
    if (!sha->is_object() || !sha->contains(key)) return std::optional<std::string>();
    sha = &(*sha)[key];
  }
  if (!sha->is_string() || sha->get<std::string>().empty()) return std::optional<std::string>();
  return std::optional(sha->get<std::string>());
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
  Result<std::string> names = changed_names(folder, base);
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
