#include <cstdlib>

#include "config/raw_value.h"
#include "config/settings.h"

namespace ag::config {

Environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

RawValues read_inputs(const Environment& env) {
  RawValues values;
  for (const Key& key : keys()) {
    std::string variable = input_variable(key.name);
    std::optional<std::string> value = env(variable);
    // The runner passes every declared input, empty when the workflow did not set it.
    if (value && !value->empty()) values[std::string(key.name)] = {*value, "input " + variable};
  }
  return values;
}

}  // namespace ag::config
