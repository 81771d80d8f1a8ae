#include <doctest/doctest.h>

#include "util/text.h"

namespace ag {

TEST_SUITE("util/text") {
  TEST_CASE("shorten keeps short texts and cuts long ones on a character boundary") {
    CHECK(shorten("abc", 3) == "abc");
    CHECK(shorten("abcdef", 5) == "ab\u2026");
    // "é" is two bytes: cutting inside it would leave a broken character.
    CHECK(shorten("aééé", 5) == "a\u2026");
    CHECK(shorten("aééé", 6) == "aé\u2026");
    std::string long_text(10000, 'x');
    CHECK(shorten(long_text, 4000).size() == 4000);
    std::string emoji;
    for (int i = 0; i < 1000; ++i) emoji += "😀";
    std::string cut = shorten(emoji, 101);
    CHECK(cut.size() <= 101);
    CHECK(cut == emoji.substr(0, 96) + "\u2026");
  }

  TEST_CASE("upper and first_word: ASCII capitals, the leading letters after white space") {
    CHECK(upper("Select é 1") == "SELECT é 1");
    CHECK(first_word("  commit;") == "COMMIT");
    CHECK(first_word("\n with x AS (SELECT 1)") == "WITH");
    CHECK(first_word("  ").empty());
  }

  TEST_CASE("line_of: the numbered line without its break, empty past the end") {
    CHECK(line_of("a\nbc\r\nd", 1) == "a");
    CHECK(line_of("a\nbc\r\nd", 2) == "bc");
    CHECK(line_of("a\nbc\r\nd", 3) == "d");
    CHECK(line_of("a\nbc\r\nd", 4).empty());
    CHECK(line_of("a\n", 0).empty());
  }

  TEST_CASE("replace_all replaces every occurrence, left to right, never its own output") {
    CHECK(replace_all("a{x}b{x}", "{x}", "1") == "a1b1");
    CHECK(replace_all("aaa", "a", "aa") == "aaaaaa");
    CHECK(replace_all("none here", "{x}", "1") == "none here");
    CHECK(replace_all("", "{x}", "1").empty());
  }

  TEST_CASE("last_lines keeps the last non-empty lines, indented") {
    CHECK(last_lines("one\ntwo\n\nthree\n", 2) == "\n  two\n  three");
    CHECK(last_lines("one\ntwo", 5) == "\n  one\n  two");
    CHECK(last_lines("", 3).empty());
    CHECK(last_lines("\n\n", 3).empty());
  }

  TEST_CASE("percent escapes") {
    CHECK(percent_decode("a%20b%2fc%zz%4") == "a b/c%zz%4");
    CHECK(percent_decode("a+b", true) == "a b");
    CHECK(percent_decode("a+b") == "a+b");
    CHECK(percent_encode("alembic_gate-1.x~") == "alembic_gate-1.x~");
    CHECK(percent_encode("a b/c@") == "a%20b%2Fc%40");
  }

  TEST_CASE("first_invalid_utf8 finds the first byte that is not well-formed UTF-8") {
    constexpr size_t kNone = std::string_view::npos;
    CHECK(first_invalid_utf8("") == kNone);
    CHECK(first_invalid_utf8("plain é € 😀 \xF4\x8F\xBF\xBF") == kNone);  // U+10FFFF is the last
    CHECK(first_invalid_utf8("ab\xFF") == 2);
    CHECK(first_invalid_utf8("a\xC3") == 1);             // cut short
    CHECK(first_invalid_utf8("a\xC0\xAF") == 1);         // overlong '/'
    CHECK(first_invalid_utf8("\xE0\x80\xAF") == 0);      // overlong, three bytes
    CHECK(first_invalid_utf8("\xED\xB3\xBF") == 0);      // a surrogate (U+DCFF)
    CHECK(first_invalid_utf8("\xF4\x90\x80\x80") == 0);  // above U+10FFFF
    CHECK(first_invalid_utf8("\xE2\x82x") == 0);         // a continuation byte missing
  }

  TEST_CASE("hex_encode and hex_decode carry any bytes") {
    std::string bytes(
        "\x00\xFF"
        "a/\x80",
        5);
    CHECK(hex_encode(bytes) == "00ff612f80");
    CHECK(hex_decode("00FF612f80") == bytes);
    CHECK(hex_decode("") == std::string());
    CHECK_FALSE(hex_decode("abc").has_value());
    CHECK_FALSE(hex_decode("zz").has_value());
  }
}

}  // namespace ag
