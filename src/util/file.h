// Reading whole files.
#pragma once

#include <filesystem>
#include <string>

#include "util/result.h"

namespace ag {

/// The bytes of the file at `path`; the error names the path and the system's reason.
Result<std::string> read_file(const std::filesystem::path& path);

}  // namespace ag
