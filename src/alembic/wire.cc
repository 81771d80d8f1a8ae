#include "alembic/wire.h"

#include "util/text.h"

namespace ag::alembic {

namespace {

using nlohmann::json;

constexpr std::string_view kTag = "$bytes";
constexpr std::string_view kMark = "tagged_bytes";

/// `value` with every string that is not UTF-8 replaced by its tag.
json tagged(const json& value) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (first_invalid_utf8(text) == std::string_view::npos) return value;
    return json{{kTag, hex_encode(text)}};
  }
  if (!value.is_structured()) return value;
  json out = value.is_object() ? json::object() : json::array();
  if (value.is_array()) {
    for (const json& item : value) out.push_back(tagged(item));
  } else {
    for (const auto& [key, item] : value.items()) out[key] = tagged(item);
  }
  return out;
}

/// The bytes a tag stands for, or nullopt when `value` is no tag.
std::optional<std::string> untag(const json& value) {
  if (!value.is_object() || value.size() != 1 || !value.contains(kTag)) return std::nullopt;
  const json& hex = value[std::string(kTag)];
  return hex.is_string() ? hex_decode(hex.get_ref<const std::string&>()) : std::nullopt;
}

void untag_in_place(json& value) {
  if (std::optional<std::string> bytes = untag(value)) {
    value = std::move(*bytes);
    return;
  }
  if (!value.is_structured()) return;
  for (json& item : value) untag_in_place(item);
}

}  // namespace

std::string encode_line(const json& message) {
  try {
    return message.dump();
  } catch (const json::type_error&) {  // a string that is not UTF-8: rare, so tag only then
    json marked = tagged(message);
    marked[std::string(kMark)] = true;
    // Keys are names, never paths: one that is not UTF-8 gets U+FFFD, as on the worker's side.
    return marked.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

json decode_line(std::string_view line) {
  json message = json::parse(line);
  if (message.is_object() && message.value(std::string(kMark), false)) untag_in_place(message);
  return message;
}

}  // namespace ag::alembic
