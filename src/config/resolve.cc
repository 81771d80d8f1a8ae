#include "config/resolve.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <type_traits>
#include <variant>

#include "config/config_file.h"
#include "util/text.h"

namespace ag::config {
namespace {

/// Items separated by commas or line breaks (multi-line YAML inputs); blanks dropped.
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  for (std::string& item : split(text, ",\n")) {
    if (std::find(items.begin(), items.end(), item) == items.end())
      items.push_back(std::move(item));
  }
  return items;
}

Error invalid(const Key& key, const RawValue& raw, std::string_view expected) {
  return Error{fmt::format("invalid value '{}' for {}: expected {}", raw.text, key.name, expected),
               raw.origin};
}

/// The items a list key allows: the check names for `checks`, else its choices (none: any).
std::span<const std::string_view> allowed_items(const Key& key, CheckNames checks) {
  return key.field == Field{&Settings::checks} ? checks : key.choices;
}

Result<bool> parse_boolean(const Key& key, const RawValue& raw) {
  std::string value = lower(trim(raw.text));
  if (value == "true" || value == "yes" || value == "1" || value == "on") return true;
  if (value == "false" || value == "no" || value == "0" || value == "off") return false;
  return invalid(key, raw, "true or false");
}

Result<int> parse_integer(const Key& key, const RawValue& raw) {
  std::string value(trim(raw.text));
  int number = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() ||
      number < key.minimum) {
    return invalid(key, raw, fmt::format("a whole number >= {}", key.minimum));
  }
  return number;
}

/// What some lists' items must be beyond their choices: at least one check; for
/// database-url-env, names of environment variables.
Status check_items(const Key& key, const RawValue& raw, const std::vector<std::string>& items,
                   std::span<const std::string_view> allowed) {
  if (key.field == Field{&Settings::checks} && items.empty())
    return invalid(key, raw, fmt::format("at least one of {}", fmt::join(allowed, ", ")));
  if (key.field != Field{&Settings::database_url_env}) return ok();
  for (const std::string& item : items) {
    if (!is_variable_name(item)) {
      return Error{fmt::format("invalid {} item '{}': expected names of environment variables "
                               "(letters, digits and _, not starting with a digit)",
                               key.name, item),
                   raw.origin};
    }
  }
  return ok();
}

Result<std::vector<std::string>> parse_list(const Key& key, const RawValue& raw,
                                            std::span<const std::string_view> allowed) {
  std::vector<std::string> items = split_list(raw.text);
  if (Status valid = check_items(key, raw, items, allowed); !valid) return valid.error();
  if (allowed.empty()) return items;
  for (const std::string& item : items) {
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
      return Error{fmt::format("unknown {} item '{}': expected a comma-separated list of {}",
                               key.name, item, fmt::join(allowed, ", ")),
                   raw.origin};
    }
  }
  return items;
}

Result<std::string> parse_text(const RawValue& raw) {
  return std::string(trim(raw.text));
}

/// The choice's position in the key's choices.
Result<size_t> parse_choice(const Key& key, const RawValue& raw) {
  std::string_view value = trim(raw.text);
  auto at = std::find(key.choices.begin(), key.choices.end(), value);
  if (at == key.choices.end())
    return invalid(key, raw, fmt::format("one of {}", fmt::join(key.choices, ", ")));
  return static_cast<size_t>(at - key.choices.begin());
}

/// Stores a typed value in the key's field; the field's type must match the key's type.
template <class T>
Status store(Settings& settings, const Key& key, Result<T> value) {
  if (!value) return value.error();
  settings.*std::get<T Settings::*>(key.field) = std::move(*value);
  return ok();
}

/// Stores the enum value at the choice's position in the key's enum field.
Status store_choice(Settings& settings, const Key& key, Result<size_t> index) {
  if (!index) return index.error();
  std::visit(
      [&](auto field) {
        using Member = std::remove_reference_t<decltype(settings.*field)>;
        if constexpr (std::is_enum_v<Member>) settings.*field = static_cast<Member>(*index);
      },
      key.field);
  return ok();
}

RawValues defaults() {
  RawValues values;
  for (const Key& key : keys())
    values[std::string(key.name)] = {std::string(key.default_value), "default"};
  return values;
}

/// The inputs the workflow set. The runner passes every input of action.yml, with its default when
/// the workflow left it out, so an input equal to its key's default cannot be told from an
/// absent one: it counts as unset and the config file's value stays.
RawValues set_inputs(RawValues inputs) {
  std::erase_if(inputs, [](const auto& input) {
    const Key* key = find_key(input.first);
    return key != nullptr && input.second.text == key->default_value;
  });
  return inputs;
}

void overlay(RawValues& values, const RawValues& over) {
  for (const auto& [name, value] : over) values[name] = value;
}

/// Makes settings.working_directory absolute; it must be an existing folder.
Status settle_working_directory(Settings& settings, const RawValue& raw) {
  std::error_code ec;
  std::filesystem::path folder = std::filesystem::absolute(settings.working_directory, ec);
  if (ec || !std::filesystem::is_directory(folder, ec)) {
    return Error{fmt::format("working-directory '{}' is not a folder", raw.text), raw.origin};
  }
  std::string normal = folder.lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  settings.working_directory = normal;
  return ok();
}

}  // namespace

Status assign(Settings& settings, const Key& key, const RawValue& raw, CheckNames checks) {
  switch (key.type) {
    case ValueType::boolean:
      return store(settings, key, parse_boolean(key, raw));
    case ValueType::integer:
      return store(settings, key, parse_integer(key, raw));
    case ValueType::list:
      return store(settings, key, parse_list(key, raw, allowed_items(key, checks)));
    case ValueType::text:
    case ValueType::path:
      return store(settings, key, parse_text(raw));
    case ValueType::choice:
      return store_choice(settings, key, parse_choice(key, raw));
  }
  return ok();
}

Result<Settings> resolve_settings(const RawValues& flags, const Environment& env,
                                  CheckNames checks) {
  RawValues inputs = set_inputs(read_inputs(env));
  // The working directory decides where the config file is, so it comes from flags and inputs only.
  RawValues early = defaults();
  overlay(early, inputs);
  overlay(early, flags);
  Settings settings;
  const Key& working_directory = *find_key("working-directory");
  const RawValue& folder = early.at(std::string(working_directory.name));
  if (Status s = assign(settings, working_directory, folder, checks); !s) return s.error();
  if (Status s = settle_working_directory(settings, folder); !s) return s.error();

  Result<RawValues> file = read_config_file(settings.working_directory);
  if (!file) return file.error();
  RawValues merged = defaults();
  overlay(merged, *file);
  overlay(merged, inputs);
  overlay(merged, flags);
  for (const Key& key : keys()) {
    if (&key == &working_directory) continue;
    if (Status s = assign(settings, key, merged.at(std::string(key.name)), checks); !s)
      return s.error();
  }
  return settings;
}

bool is_variable_name(std::string_view name) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  return !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front())) &&
         std::all_of(name.begin(), name.end(), word);
}

}  // namespace ag::config
