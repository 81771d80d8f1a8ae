#include "util/toml_file.h"

#include <fmt/format.h>

#include "util/file.h"
#include "util/paths.h"

namespace ag {

Result<toml::table> read_toml(const std::filesystem::path& path) {
  Result<std::string> text = read_file(path);
  if (!text) return text.error();
  std::string shown = display_path(path);
  try {
    return toml::parse(*text, shown);
  } catch (const toml::parse_error& e) {
    return Error{fmt::format("malformed TOML: {}", e.description()), shown,
                 static_cast<int>(e.source().begin.line)};
  }
}

}  // namespace ag
