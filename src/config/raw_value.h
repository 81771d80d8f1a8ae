// A setting's value as text, before it is typed, with where it came from.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace ag::config {

struct RawValue {
  std::string text;    ///< Lists are comma-separated.
  std::string origin;  ///< "flag --checks", "input INPUT_CHECKS", "pyproject.toml:12", "default".
};

/// Key name -> value, from one source.
using RawValues = std::map<std::string, RawValue, std::less<>>;

/// Looks up an environment variable; nullopt when unset. A seam so tests need no real environment.
using Environment = std::function<std::optional<std::string>(const std::string&)>;

/// The process's own environment.
Environment process_environment();

/// The action inputs (INPUT_<NAME>) present and non-empty in `env`.
RawValues read_inputs(const Environment& env);

}  // namespace ag::config
