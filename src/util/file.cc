#include "util/file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "util/paths.h"

namespace ag {

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{std::string("cannot read file: ") + std::strerror(errno), display_path(path)};
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace ag
