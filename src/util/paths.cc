#include "util/paths.h"

namespace ag {

std::string relative_inside(const std::filesystem::path& path, const std::filesystem::path& base) {
  std::filesystem::path absolute = std::filesystem::absolute(path).lexically_normal();
  std::filesystem::path relative =
      absolute.lexically_relative(std::filesystem::absolute(base).lexically_normal());
  if (relative.empty() || *relative.begin() == "..") return absolute.generic_string();
  if (relative == ".") return ".";
  return relative.generic_string();
}

std::string display_path(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  return ec ? path.generic_string() : relative_inside(path, cwd);
}

}  // namespace ag
