#include "util/file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "util/paths.h"

namespace ag {

Result<std::string> read_file(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec) return Error{"cannot read file: " + ec.message(), display_path(path)};
  if (status.type() != std::filesystem::file_type::regular) {
    return Error{"cannot read file: it is not a regular file (a folder, a pipe or a device)",
                 display_path(path)};
  }
  if (std::filesystem::file_size(path, ec) > kMaxReadBytes && !ec) {
    return Error{fmt::format("cannot read file: it is larger than {} MiB", kMaxReadBytes >> 20),
                 display_path(path)};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{std::string("cannot read file: ") + std::strerror(errno), display_path(path)};
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

bool is_present(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::not_found;
}

Status write_file(const std::filesystem::path& path, std::string_view text, WriteMode mode) {
  errno = 0;
  std::ofstream out(
      path, std::ios::binary | (mode == WriteMode::append ? std::ios::app : std::ios::trunc));
  if (out) out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();  // a full disk shows only when the buffer is flushed
  if (!out) {
    return Error{errno != 0 ? std::strerror(errno) : "the write failed", display_path(path)};
  }
  return ok();
}

}  // namespace ag
