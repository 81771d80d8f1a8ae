// The project's config file: alembic-gate.toml (top-level keys), else the [tool.alembic-gate]
// table of pyproject.toml. The first one found in the working directory is the only one read.
#pragma once

#include <filesystem>

#include "config/raw_value.h"
#include "util/result.h"

namespace ag::config {

/// The values set in the config file in `folder` (none when there is no file or no table).
/// Errors name file:line: malformed TOML, unknown key, a value of the wrong TOML type, a key that
/// cannot be set in a file.
Result<RawValues> read_config_file(const std::filesystem::path& folder);

}  // namespace ag::config
