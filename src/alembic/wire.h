// One line of the worker protocol (docs/worker-protocol.md): a JSON object. Paths on Linux are
// bytes, not always UTF-8, and JSON carries only UTF-8; a string that is not UTF-8 travels as
// {"$bytes": "<hex>"} in a message marked "tagged_bytes", both ways, so nothing is lost.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace ag::alembic {

/// `message` (a JSON object) as one protocol line, without its newline. Strings that are not
/// UTF-8 are tagged; then the message is marked.
std::string encode_line(const nlohmann::json& message);

/// The JSON object a protocol line holds, the tagged strings back to their bytes. Throws
/// nlohmann::json::exception when the line is no JSON.
nlohmann::json decode_line(std::string_view line);

}  // namespace ag::alembic
