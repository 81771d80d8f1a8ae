// How the layers below the program tell it what happened, one line at a time.
#pragma once

#include <functional>
#include <string>

namespace ag {

/// Receives one short line per event worth telling (a failed connection attempt, a drop failure).
using LogLine = std::function<void(const std::string&)>;

}  // namespace ag
