// Pieces of the job summary's Markdown that more than one section writes.
#pragma once

#include <string>
#include <string_view>

namespace ag {

/// Text inside an HTML block (<summary>), where Markdown is not read: <, > and & escaped.
std::string html_text(std::string_view text);

/// `text` as a fenced code block in `language`: the fence is longer than any run of backticks
/// in the text, so nothing in it can end the block.
std::string code_block(std::string_view text, std::string_view language);

}  // namespace ag
