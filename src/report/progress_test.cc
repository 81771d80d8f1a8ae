// Progress lines: deterministic through the threshold (0 ms: always; an hour: never).
#include <doctest/doctest.h>

#include <mutex>
#include <thread>

#include "report/progress.h"

namespace ag {

TEST_SUITE("report/progress") {
  TEST_CASE("a check past the threshold gets a running line and a closing line") {
    std::mutex mutex;
    std::vector<std::string> lines;
    {
      CheckProgress progress(
          [&](const std::string& line) {
            std::lock_guard lock(mutex);
            lines.push_back(line);
          },
          std::chrono::milliseconds(0));
      progress.started("roundtrip");
      // The watcher prints on its own thread; wait for it rather than for a time.
      for (int i = 0; i < 1000; ++i) {
        {
          std::lock_guard lock(mutex);
          if (!lines.empty()) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      progress.finished({.name = "roundtrip", .status = CheckStatus::failed, .seconds = 12.34});
    }
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "alembic-gate: roundtrip is running");
    CHECK(lines[1] == "alembic-gate: roundtrip failed in 12.3 s");
  }

  TEST_CASE("a quick check gets no line") {
    std::vector<std::string> lines;
    CheckProgress progress([&](const std::string& line) { lines.push_back(line); },
                           std::chrono::hours(1));
    progress.started("heads");
    progress.finished({.name = "heads", .status = CheckStatus::passed, .seconds = 0.002});
    progress.started("roundtrip");
    progress.finished({.name = "roundtrip", .status = CheckStatus::passed, .seconds = 0.5});
    CHECK(lines.empty());
  }
}

}  // namespace ag
