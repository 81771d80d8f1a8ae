// The Python lexer: logical lines, tokens with their lines, strings of every quoting, errors.
#include "python/lexer.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace ag::python {
namespace {

/// Every logical line of `source`; the lexer must not fail.
std::vector<LogicalLine> lines_of(std::string_view source) {
  Lexer lexer(source);
  std::vector<LogicalLine> lines;
  while (true) {
    Result<const LogicalLine*> line = lexer.next();
    INFO((line ? std::string() : line.error().describe()));
    REQUIRE(line.ok());
    if (*line == nullptr) break;
    lines.push_back(**line);
    REQUIRE(lines.size() < 1000);  // guards against a lexer that never ends
  }
  return lines;
}

/// The error the lexer stops with; it must stop with one.
Error error_of(std::string_view source) {
  Lexer lexer(source);
  for (int guard = 0; guard < 1000; ++guard) {
    Result<const LogicalLine*> line = lexer.next();
    if (!line) return line.error();
    REQUIRE(*line != nullptr);
  }
  FAIL("the lexer never stopped");
  return {};
}

std::vector<std::string> texts(const LogicalLine& line) {
  std::vector<std::string> out;
  for (const Token& token : line.tokens) out.emplace_back(token.text);
  return out;
}

std::vector<int> token_lines(const LogicalLine& line) {
  std::vector<int> out;
  for (const Token& token : line.tokens) out.push_back(token.line);
  return out;
}

/// The single token of a one-token source.
Token only_token(std::string_view source) {
  std::vector<LogicalLine> lines = lines_of(source);
  REQUIRE(lines.size() == 1);
  REQUIRE(lines[0].tokens.size() == 1);
  return lines[0].tokens[0];
}

using Texts = std::vector<std::string>;

}  // namespace

TEST_SUITE("python/lexer") {
  TEST_CASE("header_colon: the colon ending a block header, outside brackets") {
    std::vector<LogicalLine> lines =
        lines_of("def f(x: int) -> dict[str, int]: pass\nif a[1:2]:\n    b = {'k': 1}\n");
    REQUIRE(lines.size() == 3);
    CHECK(header_colon(lines[0].tokens) == 14);
    CHECK(header_colon(lines[1].tokens) == 7);
    CHECK(header_colon(lines[2].tokens) == lines[2].tokens.size());  // only a dict's colon
  }

  TEST_CASE("one logical line per statement, with token kinds and lines") {
    std::vector<LogicalLine> lines = lines_of("revision = 'abc'\ncount = 12\n");
    REQUIRE(lines.size() == 2);
    CHECK(texts(lines[0]) == Texts{"revision", "=", "'abc'"});
    CHECK(lines[0].tokens[0].kind == TokenKind::name);
    CHECK(lines[0].tokens[1].kind == TokenKind::op);
    CHECK(lines[0].tokens[2].kind == TokenKind::string);
    CHECK(lines[0].first_line == 1);
    CHECK(lines[0].last_line == 1);
    CHECK(texts(lines[1]) == Texts{"count", "=", "12"});
    CHECK(lines[1].tokens[2].kind == TokenKind::number);
    CHECK(lines[1].first_line == 2);
    CHECK(token_lines(lines[1]) == std::vector<int>{2, 2, 2});
  }

  TEST_CASE("the last line needs no newline, and an empty source has no lines") {
    CHECK(lines_of("").empty());
    CHECK(lines_of("\n\n   \n# only a comment\n").empty());
    std::vector<LogicalLine> lines = lines_of("x = 1");
    REQUIRE(lines.size() == 1);
    CHECK(texts(lines[0]) == Texts{"x", "=", "1"});
  }

  TEST_CASE("brackets join physical lines into one logical line") {
    std::vector<LogicalLine> lines = lines_of(
        "down_revision = (\n"
        "    'a',\n"
        "    [\n"
        "        'b', {'c'},\n"
        "    ],\n"
        ")\n"
        "after = 1\n");
    REQUIRE(lines.size() == 2);
    CHECK(texts(lines[0]) == Texts{"down_revision", "=", "(", "'a'", ",", "[", "'b'", ",", "{",
                                   "'c'", "}", ",", "]", ",", ")"});
    CHECK(lines[0].first_line == 1);
    CHECK(lines[0].last_line == 6);
    CHECK(lines[0].tokens[3].line == 2);
    CHECK(lines[0].tokens[6].line == 4);
    CHECK(lines[1].first_line == 7);
    CHECK(lines[1].tokens[0].line == 7);
  }

  TEST_CASE("a backslash at the end of a line joins it with the next") {
    std::vector<LogicalLine> lines = lines_of("x = 1 + \\\n    2\ny = 3\n");
    REQUIRE(lines.size() == 2);
    CHECK(texts(lines[0]) == Texts{"x", "=", "1", "+", "2"});
    CHECK(lines[0].first_line == 1);
    CHECK(lines[0].last_line == 2);
    CHECK(lines[0].tokens[4].line == 2);
    CHECK(lines[1].first_line == 3);
  }

  TEST_CASE("a backslash continuation with CRLF line endings") {
    std::vector<LogicalLine> lines = lines_of("x = \\\r\n  'a'\r\ny = 2\r\n");
    REQUIRE(lines.size() == 2);
    CHECK(texts(lines[0]) == Texts{"x", "=", "'a'"});
    CHECK(lines[0].tokens[2].line == 2);
    CHECK(lines[1].first_line == 3);
  }

  TEST_CASE("comments are skipped: whole lines, trailing, and inside brackets") {
    std::vector<LogicalLine> lines = lines_of(
        "# header comment\n"
        "\n"
        "x = (  # opening\n"
        "    # a whole comment line inside the brackets\n"
        "    'a',  # 'not a string'\n"
        ")  # trailing )\n"
        "y = '#not a comment'\n");
    REQUIRE(lines.size() == 2);
    CHECK(texts(lines[0]) == Texts{"x", "=", "(", "'a'", ",", ")"});
    CHECK(lines[0].first_line == 3);
    CHECK(lines[0].last_line == 6);
    CHECK(texts(lines[1]) == Texts{"y", "=", "'#not a comment'"});
    CHECK(lines[1].first_line == 7);
  }

  TEST_CASE("kept comments carry their text, line and whether they stand on their own line") {
    std::string_view source =
        "# header\r\n"
        "x = (  # opening\n"
        "    # inside\n"
        "    '# not a comment',\n"
        ")\n"
        "  # indented, at the end";
    auto lexed = [&](bool keep_comments) {
      Lexer lexer(source, keep_comments);
      for (Result<const LogicalLine*> line = lexer.next(); line.ok() && *line;
           line = lexer.next()) {
      }
      return lexer.comments();
    };
    std::vector<Comment> comments = lexed(true);
    REQUIRE(comments.size() == 4);
    CHECK(comments[0].text == "# header");
    CHECK(comments[0].line == 1);
    CHECK(comments[0].own_line);
    CHECK(comments[1].text == "# opening");
    CHECK(comments[1].line == 2);
    CHECK_FALSE(comments[1].own_line);
    CHECK(comments[2].text == "# inside");
    CHECK(comments[2].line == 3);
    CHECK(comments[2].own_line);
    CHECK(comments[3].text == "# indented, at the end");
    CHECK(comments[3].line == 6);
    CHECK(comments[3].own_line);
    CHECK(lexed(false).empty());
  }

  TEST_CASE("the indented flag marks lines that are not at module level") {
    std::vector<LogicalLine> lines = lines_of(
        "def upgrade():\n"
        "    revision = 'inner'\n"
        "\tpass\n"
        "revision = 'outer'\n");
    REQUIRE(lines.size() == 4);
    CHECK_FALSE(lines[0].indented);
    CHECK(lines[1].indented);
    CHECK(lines[1].first_line == 2);
    CHECK(lines[2].indented);
    CHECK_FALSE(lines[3].indented);
    CHECK(lines[3].first_line == 4);
  }

  TEST_CASE("the continuation lines of a bracket do not make a line indented") {
    std::vector<LogicalLine> lines = lines_of("x = (\n    1,\n)\n  # indented comment\ny = 2\n");
    REQUIRE(lines.size() == 2);
    CHECK_FALSE(lines[0].indented);
    CHECK_FALSE(lines[1].indented);
    CHECK(lines[1].first_line == 5);
  }

  TEST_CASE("strings in every quoting are one token, as written") {
    for (std::string_view source : {R"('single')",
                                    R"("double")",
                                    R"('''triple single''')",
                                    R"("""triple double""")",
                                    R"(r'raw\d')",
                                    R"(u"unicode")",
                                    R"(b'bytes')",
                                    R"(f"{value}")",
                                    R"(rb'raw bytes')",
                                    R"(BR"upper")",
                                    R"(Rb'mixed')",
                                    R"(F'''fstring''')",
                                    R"('it\'s')",
                                    R"("say \"hi\"")",
                                    R"('back\\')",
                                    R"("")",
                                    R"('''''')",
                                    R"("a 'quoted' word")",
                                    R"('a "quoted" word')",
                                    R"("""has "one" and ""two"" quotes""")"}) {
      CAPTURE(source);
      Token token = only_token(source);
      CHECK(token.kind == TokenKind::string);
      CHECK(token.text == source);
      CHECK(token.line == 1);
    }
  }

  TEST_CASE("a name that is not a string prefix stays a name before a string") {
    std::vector<LogicalLine> lines = lines_of("print 'x'\nrb = 1\nfoo'y'\n");
    REQUIRE(lines.size() == 3);
    CHECK(texts(lines[0]) == Texts{"print", "'x'"});
    CHECK(lines[0].tokens[0].kind == TokenKind::name);
    CHECK(lines[1].tokens[0].kind == TokenKind::name);
    CHECK(texts(lines[1]) == Texts{"rb", "=", "1"});
    CHECK(texts(lines[2]) == Texts{"foo", "'y'"});
  }

  TEST_CASE("a triple-quoted string spanning lines keeps later tokens on their own lines") {
    std::vector<LogicalLine> lines = lines_of(
        "\"\"\"Add users.\n"
        "\n"
        "Revision ID: abc\n"
        "\"\"\"\n"
        "x = '''one\n"
        "two''' + y\n"
        "revision = 'abc'\n");
    REQUIRE(lines.size() == 3);
    REQUIRE(lines[0].tokens.size() == 1);
    CHECK(lines[0].tokens[0].kind == TokenKind::string);
    CHECK(lines[0].tokens[0].line == 1);
    CHECK(lines[0].first_line == 1);
    CHECK(texts(lines[1]) == Texts{"x", "=", "'''one\ntwo'''", "+", "y"});
    CHECK(token_lines(lines[1]) == std::vector<int>{5, 5, 5, 6, 6});
    CHECK(lines[1].first_line == 5);
    CHECK(lines[1].last_line == 6);
    CHECK(lines[2].first_line == 7);
    CHECK(lines[2].tokens[0].line == 7);
  }

  TEST_CASE("a backslash-newline inside a string continues it onto the next line") {
    std::vector<LogicalLine> lines = lines_of("x = 'one \\\ntwo'\ny = 1\n");
    REQUIRE(lines.size() == 2);
    CHECK(texts(lines[0]) == Texts{"x", "=", "'one \\\ntwo'"});
    CHECK(lines[1].first_line == 3);
  }

  TEST_CASE("quotes and brackets inside strings and comments do not count") {
    std::vector<LogicalLine> lines = lines_of("x = ')]}'  # (\ny = \"(\"\n");
    REQUIRE(lines.size() == 2);
    CHECK(texts(lines[0]) == Texts{"x", "=", "')]}'"});
    CHECK(texts(lines[1]) == Texts{"y", "=", "\"(\""});
  }

  TEST_CASE("multi-character operators are single tokens") {
    std::vector<LogicalLine> lines = lines_of(
        "a == b != c <= d >= e\ndef f() -> None: ...\nif (n := 10) ** 2: x **= 2; y //= 3\n");
    REQUIRE(lines.size() == 3);
    CHECK(texts(lines[0]) == Texts{"a", "==", "b", "!=", "c", "<=", "d", ">=", "e"});
    CHECK(texts(lines[1]) == Texts{"def", "f", "(", ")", "->", "None", ":", "..."});
    CHECK(texts(lines[2]) == Texts{"if", "(", "n", ":=", "10", ")", "**", "2", ":", "x", "**=", "2",
                                   ";", "y", "//=", "3"});
    for (const LogicalLine& line : lines) {
      for (const Token& token : line.tokens) {
        if (token.text == "==" || token.text == "->" || token.text == ":=" || token.text == ";") {
          CHECK(token.kind == TokenKind::op);
        }
      }
    }
  }

  TEST_CASE("a UTF-8 byte order mark is skipped") {
    std::vector<LogicalLine> lines = lines_of("\xEF\xBB\xBFrevision = 'a'\n");
    REQUIRE(lines.size() == 1);
    CHECK(texts(lines[0]) == Texts{"revision", "=", "'a'"});
    CHECK_FALSE(lines[0].indented);
    CHECK(lines[0].first_line == 1);
  }

  TEST_CASE("an unterminated string is an error naming the line where it starts") {
    Error single = error_of("x = 1\ny = 'abc\nz = 2\n");
    CHECK(single.message == "unterminated string");
    CHECK(single.line == 2);
    Error triple = error_of("x = 1\n\ny = \"\"\"abc\n\nmore\n");
    CHECK(triple.message == "unterminated string");
    CHECK(triple.line == 3);
    Error at_end = error_of("x = 'abc");
    CHECK(at_end.message == "unterminated string");
    CHECK(at_end.line == 1);
  }

  TEST_CASE("an unmatched closing bracket is an error with its line") {
    Error error = error_of("x = 1\ny = 2)\n");
    CHECK(error.message == "unmatched ')'");
    CHECK(error.line == 2);
    Error bracket = error_of("x = ]\n");
    CHECK(bracket.message == "unmatched ']'");
    CHECK(bracket.line == 1);
  }

  TEST_CASE("a bracket never closed is an error") {
    Error error = error_of("a = 1\nx = (\n  'a',\n");
    CHECK(error.message == "'(' was never closed");
    CHECK(error.line == 2);
    Error inner = error_of("x = 1 + \\\n  (2,\n");  // the innermost open bracket, as Python says
    CHECK(inner.message == "'(' was never closed");
    CHECK(inner.line == 2);
  }

  TEST_CASE("a closing bracket must match the open one") {
    Error error = error_of("x = (\n  'a']\n");
    CHECK(error.message == "closing ']' does not match opening '(' on line 1");
    CHECK(error.line == 2);
  }

  TEST_CASE("backslash-CRLF continues a single-quoted string") {
    std::vector<LogicalLine> lines = lines_of("x = 'a\\\r\nb'\r\ny = 1\r\n");
    REQUIRE(lines.size() == 2);
    CHECK(string_value(lines[0].tokens[2].text) == "ab");
    CHECK(lines[1].first_line == 3);
  }

  TEST_CASE("octal escapes take up to three digits, as Python reads them") {
    CHECK(string_value("'\\012'") == "\n");
    CHECK(string_value("'\\0'") == std::string(1, '\0'));
    CHECK(string_value("'\\1419'") == "a9");
  }
}

TEST_SUITE("python/string_value") {
  TEST_CASE("quotes are removed") {
    CHECK(string_value("'abc'") == "abc");
    CHECK(string_value("\"abc\"") == "abc");
    CHECK(string_value("'''abc'''") == "abc");
    CHECK(string_value("\"\"\"a\nb\"\"\"") == "a\nb");
    CHECK(string_value("''") == "");
    CHECK(string_value("\"\"") == "");
    CHECK(string_value("''''''") == "");
    CHECK(string_value("'\"'") == "\"");
  }

  TEST_CASE("escapes are decoded") {
    CHECK(string_value(R"('a\nb\tc\rd')") == "a\nb\tc\rd");
    CHECK(string_value(R"('it\'s')") == "it's");
    CHECK(string_value(R"("say \"hi\"")") == "say \"hi\"");
    CHECK(string_value(R"('back\\slash')") == "back\\slash");
    CHECK(string_value(R"('nul\0')") == std::string("nul\0", 4));
    CHECK(string_value("'one \\\ntwo'") == "one two");
    // Escapes a revision id never needs are kept as written.
    CHECK(string_value(R"('\x41\d')") == "\\x41\\d");
  }

  TEST_CASE("raw strings keep their backslashes") {
    CHECK(string_value(R"(r'a\nb')") == "a\\nb");
    CHECK(string_value(R"(R"\d+")") == "\\d+");
    CHECK(string_value(R"(r'it\'s')") == "it\\'s");
    CHECK(string_value(R"(r'''x\y''')") == "x\\y");
  }

  TEST_CASE("a u prefix changes nothing") {
    CHECK(string_value("u'abc'") == "abc");
    CHECK(string_value("U\"a\\tb\"") == "a\tb");
  }

  TEST_CASE("f-strings and bytes have no plain string value") {
    for (std::string_view text : {"f'abc'", "F\"abc\"", "b'abc'", "B'abc'", "rb'abc'", "bR'abc'",
                                  "Rf'{x}'", "fr'{x}'", "f'''abc'''"}) {
      CAPTURE(text);
      CHECK_FALSE(string_value(text).has_value());
    }
  }

  TEST_CASE("each piece of an implicit concatenation is its own token and value") {
    std::vector<LogicalLine> lines = lines_of("x = 'ab' \"cd\" r'\\e'\n");
    REQUIRE(lines.size() == 1);
    REQUIRE(lines[0].tokens.size() == 5);
    std::string joined;
    for (size_t i = 2; i < 5; ++i) {
      CHECK(lines[0].tokens[i].kind == TokenKind::string);
      joined += string_value(lines[0].tokens[i].text).value_or("<none>");
    }
    CHECK(joined == "abcd\\e");
  }
}

}  // namespace ag::python
