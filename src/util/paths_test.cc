// relative_inside and display_path: how paths are shown in messages.
#include "util/paths.h"

#include <doctest/doctest.h>

#include <filesystem>

namespace ag {

TEST_SUITE("util/paths") {
  TEST_CASE("a path inside the base is shown relative to it") {
    CHECK(relative_inside("/repo/migrations/versions/a.py", "/repo") == "migrations/versions/a.py");
    CHECK(relative_inside("/repo/a.py", "/repo/") == "a.py");
    CHECK(relative_inside("/repo/x/../migrations/./a.py", "/repo") == "migrations/a.py");
  }

  TEST_CASE("a path outside the base stays absolute, normalized") {
    CHECK(relative_inside("/elsewhere/a.py", "/repo") == "/elsewhere/a.py");
    CHECK(relative_inside("/repo/../other/a.py", "/repo") == "/other/a.py");
    // A sibling whose name merely starts with the base's name is outside it.
    CHECK(relative_inside("/repository/a.py", "/repo") == "/repository/a.py");
    CHECK(relative_inside("/", "/repo") == "/");
  }

  TEST_CASE("the base itself is '.'") {
    CHECK(relative_inside("/repo", "/repo") == ".");
    CHECK(relative_inside("/repo/", "/repo") == ".");
    CHECK(relative_inside("/repo/sub/..", "/repo") == ".");
  }

  TEST_CASE("relative paths are taken from the current directory") {
    std::filesystem::path cwd = std::filesystem::current_path();
    CHECK(relative_inside("some/file.py", cwd) == "some/file.py");
    CHECK(relative_inside(cwd / "some" / "file.py", ".") == "some/file.py");
    CHECK(display_path(cwd / "a" / "b.py") == "a/b.py");
    CHECK(display_path("a/b.py") == "a/b.py");
    CHECK(display_path(cwd) == ".");
  }
}

}  // namespace ag
