// The pull request's base commit, read from the event file GITHUB_EVENT_PATH names.
#include "checks/lint/pull_request.h"

#include <doctest/doctest.h>

#include "support/temp_dir.h"

namespace ag::checks::lint {
namespace {

Result<std::optional<std::string>> base_of(const std::optional<std::string>& event_text) {
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
    CHECK(base_of(R"({"pull_request": {"base": {"sha": "abc123", "ref": "main"}}})").value() ==
          "abc123");
  }

  TEST_CASE("not a pull request: no variable, another event") {
    CHECK(pull_request_base([](const std::string&) { return std::nullopt; }).value() ==
          std::nullopt);
    for (std::string text :
         {"[]", R"({"ref": "refs/heads/main"})", R"({"pull_request": {"base": {"sha": 7}}})",
          R"({"pull_request": {"base": {"sha": ""}}})", R"({"pull_request": null})"}) {
      CAPTURE(text);
      CHECK(base_of(text).value() == std::nullopt);
    }
  }

  TEST_CASE("an event file that cannot be read or is no JSON is an error naming it") {
    Result<std::optional<std::string>> missing = base_of(std::nullopt);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.starts_with("the event file "));
    CHECK(missing.error().message.find("event.json (GITHUB_EVENT_PATH): cannot read file") !=
          std::string::npos);
    Result<std::optional<std::string>> broken = base_of("{not json");
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().message.ends_with("event.json (GITHUB_EVENT_PATH) holds no JSON"));
  }
}

}  // namespace ag::checks::lint
