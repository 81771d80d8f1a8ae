// The pull request's base commit, read from the event file GITHUB_EVENT_PATH names.
#include "checks/lint/pull_request.h"

#include <doctest/doctest.h>

#include "support/temp_dir.h"

namespace ag::checks::lint {
namespace {

std::optional<std::string> base_of(const std::optional<std::string>& event_text) {
  test::TempDir dir;
  std::string path = (dir.path() / "event.json").string();
  if (event_text) dir.write("event.json", *event_text);
  return pull_request_base([&](const std::string& name) -> std::optional<std::string> {
    if (name == "GITHUB_EVENT_PATH") return path;
    return std::nullopt;
  });
}

}  // namespace

TEST_SUITE("lint/pull_request") {
  TEST_CASE("pull_request.base.sha of the event file") {
    CHECK(base_of(R"({"pull_request": {"base": {"sha": "abc123", "ref": "main"}}})") == "abc123");
  }

  TEST_CASE("not a pull request: no variable, no file, malformed JSON, another event") {
    CHECK_FALSE(pull_request_base([](const std::string&) { return std::nullopt; }).has_value());
    CHECK_FALSE(base_of(std::nullopt).has_value());
    for (std::string text :
         {"{not json", "[]", R"({"ref": "refs/heads/main"})",
          R"({"pull_request": {"base": {"sha": 7}}})", R"({"pull_request": {"base": {"sha": ""}}})",
          R"({"pull_request": null})"}) {
      CAPTURE(text);
      CHECK_FALSE(base_of(text).has_value());
    }
  }
}

}  // namespace ag::checks::lint
