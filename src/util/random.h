// Unpredictable names and tokens.
#pragma once

#include <cstddef>
#include <string>

namespace ag {

/// `bytes` random bytes from the system's random device, as 2 * bytes lower-case hex digits.
std::string random_hex(size_t bytes);

}  // namespace ag
