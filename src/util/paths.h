// Paths as people read them.
#pragma once

#include <filesystem>
#include <string>

namespace ag {

/// `path` relative to `base` when it lies inside it, else `path` unchanged; '/' separators.
std::string relative_inside(const std::filesystem::path& path, const std::filesystem::path& base);

/// `path` as shown in messages: relative to the current directory when inside it.
std::string display_path(const std::filesystem::path& path);

}  // namespace ag
