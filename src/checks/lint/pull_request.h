// What a pull request changes, for the lint check's scope: the base commit GitHub names in the
// event file, and the files git sees changed since then.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/raw_value.h"
#include "util/result.h"

namespace ag::checks::lint {

/// The base commit of the pull request this run is for: `pull_request.base.sha` in the event file
/// GITHUB_EVENT_PATH names. nullopt when the run is not for a pull request (no variable, or an
/// event without that field). Errors: the file cannot be read or is no JSON (the runner always
/// writes one, so something is wrong, and the scope must not narrow silently).
Result<std::optional<std::string>> pull_request_base(const config::Environment& env);

/// The files added or changed (not deleted) between `base` and HEAD as the pull request shows
/// them (`git diff base...HEAD`: from their merge base), absolute and normalized. Runs git in
/// `folder`. actions/checkout's default clone holds one commit, the merge of the pull request
/// into its base: then that merge's base (its first parent) is fetched from origin (one commit,
/// its trees only, with the credentials the checkout leaves) and compared with it directly. Errors:
/// git missing, `folder` not in a repository, `base` neither in the clone nor to be fetched, `base`
/// not hexadecimal (never handed to git: an event file is input, "--output=x" an option).
Result<std::vector<std::filesystem::path>> changed_files(const std::filesystem::path& folder,
                                                         const std::string& base);

}  // namespace ag::checks::lint
