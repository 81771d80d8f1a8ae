// Reading and writing whole files.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "util/result.h"

namespace ag {

/// The bytes of the file at `path`; the error names the path and the system's reason.
Result<std::string> read_file(const std::filesystem::path& path);

enum class WriteMode { replace, append };

/// Writes `text` to the file at `path` (created when missing). The error's message is the
/// system's reason and its `where` the path, also for a write that fails only when flushed (a
/// full disk), so callers can say which file it was ("cannot write the JSON report: ...").
Status write_file(const std::filesystem::path& path, std::string_view text,
                  WriteMode mode = WriteMode::replace);

}  // namespace ag
