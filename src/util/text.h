// Small text helpers shared by the readers of settings and configuration files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ag {

/// ASCII lower case.
std::string lower(std::string_view text);

/// ASCII upper case.
std::string upper(std::string_view text);

/// The letters `text` starts with (after white space), upper-cased: "select" of " select 1".
std::string first_word(std::string_view text);

/// `text` without leading and trailing white space.
std::string_view trim(std::string_view text);

/// `text` when it has at most `max_bytes` bytes; else its longest prefix that ends on a UTF-8
/// character boundary and leaves room for the "…" appended, so the result has at most
/// `max_bytes` bytes (contract: max_bytes >= 3).
std::string shorten(std::string_view text, size_t max_bytes);

/// Position of the first byte of `text` that is not part of well-formed UTF-8 (as Python and
/// JSON read it: no overlong forms, no surrogates, nothing above U+10FFFF), or npos.
size_t first_invalid_utf8(std::string_view text);

/// The pieces of `text` between any of `delimiters`, trimmed; empty pieces dropped.
std::vector<std::string> split(std::string_view text, std::string_view delimiters);

/// `text` on one line: every run of blanks (spaces, tabs, line breaks) becomes one space, none
/// at the ends.
std::string collapse_whitespace(std::string_view text);

/// `text` with every occurrence of `from` (non-empty) replaced by `to`, left to right; the
/// replacements are not searched again.
std::string replace_all(std::string_view text, std::string_view from, std::string_view to);

/// The last `count` non-empty lines of `text`, each after a '\n' and indented by two spaces: the
/// end of a tool's output, for an error message.
std::string last_lines(std::string_view text, std::size_t count);

/// Line `number` (1-based) of `text`, without its line break; empty when there is no such line.
std::string_view line_of(std::string_view text, int number);

/// Decodes %XX escapes (and '+' as a space when `plus_is_space`). Contract: none; a malformed
/// escape is kept as written.
std::string percent_decode(std::string_view text, bool plus_is_space = false);

/// Escapes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view text);

/// Each byte of `bytes` as two lower-case hex digits.
std::string hex_encode(std::string_view bytes);

/// The bytes that `hex` (pairs of hex digits, either case) spells; nullopt when it is not that.
std::optional<std::string> hex_decode(std::string_view hex);

}  // namespace ag
