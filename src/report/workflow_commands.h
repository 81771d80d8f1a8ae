// GitHub's workflow commands, as the runner reads them from a step's stdout and stderr, and as
// @actions/core writes them.
#pragma once

#include <string>
#include <string_view>

namespace ag {

/// GitHub's escaping of a workflow command's message (toolkit escapeData): % then CR and LF.
std::string escape_data(std::string_view text);

/// GitHub's escaping of a workflow command's property value (toolkit escapeProperty): as
/// escape_data, and ':' and ','.
std::string escape_property(std::string_view text);

/// `text` (one or more lines) between `::stop-commands::TOKEN` and `::TOKEN::`: the runner runs
/// no command inside, so output that is not ours (Alembic, tracebacks, SQL, a message's text) is
/// shown as written. `token` must be unpredictable (random_hex) and not occur in `text`.
std::string verbatim(std::string_view text, std::string_view token);

/// `::add-mask::VALUE`: the runner shows *** wherever VALUE would appear in the log.
std::string add_mask(std::string_view value);

}  // namespace ag
