// Small text helpers shared by the readers of settings and configuration files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ag {

/// ASCII lower case.
std::string lower(std::string_view text);

/// `text` without leading and trailing white space.
std::string_view trim(std::string_view text);

/// The pieces of `text` between any of `delimiters`, trimmed; empty pieces dropped.
std::vector<std::string> split(std::string_view text, std::string_view delimiters);

/// The last `count` non-empty lines of `text`, each after a '\n' and indented by two spaces: the
/// end of a tool's output, for an error message.
std::string last_lines(std::string_view text, std::size_t count);

}  // namespace ag
