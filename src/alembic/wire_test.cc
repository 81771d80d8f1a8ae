#include <doctest/doctest.h>

#include "alembic/wire.h"

namespace ag::alembic {

using nlohmann::json;

TEST_SUITE("alembic/wire") {
  TEST_CASE("a message in UTF-8 is plain JSON, unmarked") {
    json message = {{"op", "start"}, {"project", "/srv/blög"}};
    CHECK(encode_line(message) == message.dump());
    CHECK(decode_line(encode_line(message)) == message);
  }

  TEST_CASE("strings that are not UTF-8 travel as their bytes, both ways") {
    json message = {{"op", "start"},
                    {"project", "/tmp/proj\xFF"},
                    {"revisions", {"a1", "b\xC0\xAF"}},
                    {"nested", {{"path", "x\xFE"}}}};
    std::string line = encode_line(message);
    CHECK(line.find("\"tagged_bytes\":true") != std::string::npos);
    CHECK(line.find("\"$bytes\":\"2f746d702f70726f6aff\"") != std::string::npos);
    json decoded = decode_line(line);
    decoded.erase("tagged_bytes");
    CHECK(decoded == message);
  }

  TEST_CASE("the worker's tagged replies become bytes, untagged look-alikes stay as they are") {
    json reply = decode_line(R"({"ok": true, "path": {"$bytes": "612fff"}, "tagged_bytes": true})");
    CHECK(reply["path"] == "a/\xFF");
    json unmarked = decode_line(R"({"ok": true, "path": {"$bytes": "612fff"}})");
    CHECK(unmarked["path"].is_object());
    json not_hex = decode_line(R"({"path": {"$bytes": "zz"}, "tagged_bytes": true})");
    CHECK(not_hex["path"].is_object());
    CHECK_THROWS_AS(decode_line("{\"ok\": tru"), json::exception);
  }
}

}  // namespace ag::alembic
