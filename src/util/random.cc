#include "util/random.h"

#include <fmt/format.h>

#include <random>

namespace ag {

std::string random_hex(size_t bytes) {
  std::random_device device;
  std::string out;
  out.reserve(bytes * 2);
  for (size_t i = 0; i < bytes; ++i) out += fmt::format("{:02x}", device() & 0xFFu);
  return out;
}

}  // namespace ag
