// Reading and writing whole files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "util/result.h"

namespace ag {

/// Files read whole are at most this large (64 MiB); a larger one is refused, not read.
inline constexpr std::uintmax_t kMaxReadBytes = std::uintmax_t{64} << 20;

/// The bytes of the regular file at `path` (links followed); the error names the path and the
/// reason: the system's, or that it is no regular file (a folder, a pipe or a device would hang
/// or never end) or larger than kMaxReadBytes.
Result<std::string> read_file(const std::filesystem::path& path);

/// Whether anything is at `path`, a broken link too: reading it then says what is wrong with it,
/// where a plain exists() would take it for missing.
bool is_present(const std::filesystem::path& path);

enum class WriteMode { replace, append };

/// Writes `text` to the file at `path` (created when missing). The error's message is the
/// system's reason and its `where` the path, also for a write that fails only when flushed (a
/// full disk), so callers can say which file it was ("cannot write the JSON report: ...").
Status write_file(const std::filesystem::path& path, std::string_view text,
                  WriteMode mode = WriteMode::replace);

}  // namespace ag
