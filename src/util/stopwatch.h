// Elapsed time for the figures a run reports (a step's duration, a check's, the cost lines in
// the log), on the monotonic clock.
#pragma once

#include <chrono>

namespace ag {

/// Measures the time since it was made.
class Stopwatch {
 public:
  /// Seconds since construction.
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace ag
