// Reading a TOML file whole: alembic-gate.toml, pyproject.toml.
#pragma once

#include <toml++/toml.h>

#include <filesystem>

#include "util/result.h"

namespace ag {

/// The table of the TOML file at `path`, read as read_file() reads (a regular file of bounded
/// size). Errors name the path; a syntax error also its line ("malformed TOML: ...").
Result<toml::table> read_toml(const std::filesystem::path& path);

}  // namespace ag
