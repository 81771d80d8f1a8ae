// Settings from all sources, in the priority spelled out in settings.h.
#pragma once

#include "config/raw_value.h"
#include "config/settings.h"
#include "util/result.h"

namespace ag::config {

/// Merges `flags`, the action inputs in `env`, the config file in the working directory and the
/// defaults, then types every value. Errors name the key, where its value came from and what is
/// allowed. The working directory must exist; it is made absolute. `checks` are the names the
/// `checks` key may list.
Result<Settings> resolve_settings(const RawValues& flags, const Environment& env,
                                  CheckNames checks);

/// A name a shell can set and os.environ hands env.py: letters, digits and _, no digit first.
bool is_variable_name(std::string_view name);

/// Types one value into `settings`; `checks` as for resolve_settings(). Exposed for tests.
Status assign(Settings& settings, const Key& key, const RawValue& raw, CheckNames checks);

}  // namespace ag::config
