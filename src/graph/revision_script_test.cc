// read_revision_script on sources in memory: what Alembic would take from the module, and the
// problems that keep a file from being read.
#include "graph/revision_script.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace ag::graph {
namespace {

using Items = std::vector<std::string>;

RevisionScript read(std::string_view source) {
  return read_revision_script(source, "migrations/versions/abc_test.py");
}

/// The script must have no problems.
RevisionScript read_clean(std::string_view source) {
  RevisionScript script = read(source);
  for (const ReadProblem& problem : script.problems) {
    INFO(problem.rule << " at line " << problem.line << ": " << problem.message);
    CHECK(false);
  }
  return script;
}

/// Reads `down_revision = <value>` and returns the declaration; the value must be readable.
Declaration down_revision_of(std::string_view value) {
  RevisionScript script =
      read_clean("revision = 'r1'\ndown_revision = " + std::string(value) + "\n");
  CHECK(script.down_revision.present);
  CHECK(script.down_revision.readable);
  return script.down_revision;
}

/// The one problem of a script that must have exactly one.
ReadProblem only_problem(const RevisionScript& script) {
  REQUIRE(script.problems.size() == 1);
  return script.problems.front();
}

}  // namespace

TEST_SUITE("graph/revision_script") {
  TEST_CASE("Alembic's template is read in full") {
    RevisionScript script = read_clean(
        "\"\"\"create users table\n"
        "\n"
        "Revision ID: 1a2b3c4d5e6f\n"
        "Revises: 0f9e8d7c6b5a\n"
        "Create Date: 2024-01-01 00:00:00\n"
        "\n"
        "\"\"\"\n"
        "from alembic import op\n"
        "import sqlalchemy as sa\n"
        "\n"
        "\n"
        "# revision identifiers, used by Alembic.\n"
        "revision = '1a2b3c4d5e6f'\n"
        "down_revision = '0f9e8d7c6b5a'\n"
        "branch_labels = None\n"
        "depends_on = None\n"
        "\n"
        "\n"
        "def upgrade():\n"
        "    op.create_table('users')\n"
        "\n"
        "\n"
        "def downgrade():\n"
        "    op.drop_table('users')\n");
    CHECK(script.path == "migrations/versions/abc_test.py");
    CHECK(script.id() == "1a2b3c4d5e6f");
    CHECK(script.revision.present);
    CHECK(script.revision.readable);
    CHECK(script.revision.line == 13);
    CHECK(script.revision.end_line == 13);
    CHECK(script.down_revision.items == Items{"0f9e8d7c6b5a"});
    CHECK_FALSE(script.down_revision.is_sequence);
    CHECK(script.down_revision.line == 14);
    CHECK(script.branch_labels.present);
    CHECK(script.branch_labels.readable);
    CHECK(script.branch_labels.items.empty());
    CHECK(script.depends_on.present);
    CHECK(script.depends_on.line == 16);
    CHECK(script.message == "create users table");
    CHECK(script.docstring_line == 1);
    CHECK(script.upgrade_line == 19);
    CHECK(script.downgrade_line == 23);
  }

  TEST_CASE("annotated assignments, as newer templates write them") {
    RevisionScript script = read_clean(
        "from typing import Sequence, Union\n"
        "revision: str = \"abc\"\n"
        "down_revision: Union[str, Sequence[str], None] = \"def\"\n"
        "branch_labels: Union[str, Sequence[str], None] = None\n"
        "depends_on: Union[str, Sequence[str], None] = (\"x\", \"y\")\n"
        "def upgrade() -> None:\n"
        "    pass\n"
        "def downgrade() -> None:\n"
        "    pass\n");
    CHECK(script.id() == "abc");
    CHECK(script.revision.line == 2);
    CHECK(script.down_revision.items == Items{"def"});
    CHECK(script.down_revision.line == 3);
    CHECK(script.branch_labels.present);
    CHECK(script.branch_labels.items.empty());
    CHECK(script.depends_on.items == Items{"x", "y"});
    CHECK(script.depends_on.is_sequence);
    CHECK(script.upgrade_line == 6);
    CHECK(script.downgrade_line == 8);
  }

  TEST_CASE("a bare annotation assigns nothing") {
    RevisionScript script = read_clean("revision: str\ndown_revision = None\n");
    CHECK_FALSE(script.revision.present);
    CHECK(script.id().empty());
    CHECK(script.down_revision.present);
  }

  TEST_CASE("None, '', () and [] all mean no parent, only () and [] are sequences") {
    Declaration none = down_revision_of("None");
    CHECK(none.items.empty());
    CHECK_FALSE(none.is_sequence);
    Declaration empty_string = down_revision_of("''");
    CHECK(empty_string.items.empty());
    CHECK_FALSE(empty_string.is_sequence);
    Declaration empty_tuple = down_revision_of("()");
    CHECK(empty_tuple.items.empty());
    CHECK(empty_tuple.is_sequence);
    Declaration empty_list = down_revision_of("[]");
    CHECK(empty_list.items.empty());
    CHECK(empty_list.is_sequence);
    Declaration parenthesized_empty = down_revision_of("('')");
    CHECK(parenthesized_empty.items.empty());
  }

  TEST_CASE("a tuple over several lines with comments and a trailing comma") {
    RevisionScript script = read_clean(
        "revision = 'm'\n"
        "down_revision = (\n"
        "    'a',  # the users branch\n"
        "    # the orders branch:\n"
        "    'b',\n"
        ")\n"
        "branch_labels = None\n");
    CHECK(script.down_revision.items == Items{"a", "b"});
    CHECK(script.down_revision.is_sequence);
    CHECK(script.down_revision.line == 2);
    CHECK(script.down_revision.end_line == 6);
    CHECK(script.branch_labels.line == 7);
  }

  TEST_CASE("parentheses around one string make a string, a comma makes a tuple") {
    Declaration string = down_revision_of("('abc')");
    CHECK(string.items == Items{"abc"});
    CHECK_FALSE(string.is_sequence);
    Declaration tuple = down_revision_of("('abc',)");
    CHECK(tuple.items == Items{"abc"});
    CHECK(tuple.is_sequence);
    Declaration pair = down_revision_of("('a', 'b')");
    CHECK(pair.items == Items{"a", "b"});
    CHECK(pair.is_sequence);
  }

  TEST_CASE("lists, with one item or several") {
    Declaration one = down_revision_of("['abc']");
    CHECK(one.items == Items{"abc"});
    CHECK(one.is_sequence);
    Declaration two = down_revision_of("[\"a\", 'b',]");
    CHECK(two.items == Items{"a", "b"});
    CHECK(two.is_sequence);
  }

  TEST_CASE("implicitly concatenated strings are joined, also inside a tuple") {
    Declaration joined = down_revision_of("'ab' \"cd\"");
    CHECK(joined.items == Items{"abcd"});
    Declaration over_lines = down_revision_of("(\n    'ab'\n    'cd'\n)");
    CHECK(over_lines.items == Items{"abcd"});
    CHECK_FALSE(over_lines.is_sequence);
    Declaration in_tuple = down_revision_of("('a' 'b', 'c')");
    CHECK(in_tuple.items == Items{"ab", "c"});
    CHECK(in_tuple.is_sequence);
    Declaration raw_and_unicode = down_revision_of("r'a' u'b'");
    CHECK(raw_and_unicode.items == Items{"ab"});
  }

  TEST_CASE("a chained assignment is unreadable") {
    RevisionScript script = read("revision = 'r1'\nrevision = down_revision = None\n");
    CHECK(script.revision.present);
    CHECK_FALSE(script.revision.readable);
    CHECK(script.revision.line == 2);
    CHECK(script.id().empty());
    ReadProblem problem = only_problem(script);
    CHECK(problem.rule == "unreadable-value");
    CHECK(problem.line == 2);
    CHECK(problem.end_line == 2);
  }

  TEST_CASE("computed values are each one unreadable-value problem at their line") {
    struct Case {
      std::string_view name;
      std::string_view value;
    };
    for (Case c :
         {Case{"a function call", "make_id()"}, Case{"an f-string", "f'{base}1'"},
          Case{"string addition", "'a' + 'b'"}, Case{"a name", "other_revision"},
          Case{"a bytes literal", "b'abc'"}, Case{"a nested tuple", "(('a',), 'b')"},
          Case{"a tuple holding None", "('a', None)"}, Case{"a set", "{'a'}"},
          Case{"a conditional", "'a' if x else 'b'"},
          Case{"an f-string in a concatenation", "'a' f'{b}'"}, Case{"a subscript", "ids[0]"}}) {
      CAPTURE(c.name);
      std::string source = "revision = 'r1'\n\ndown_revision = " + std::string(c.value) + "\n" +
                           "branch_labels = None\n";
      RevisionScript script = read(source);
      CHECK(script.down_revision.present);
      CHECK_FALSE(script.down_revision.readable);
      CHECK(script.down_revision.items.empty());
      CHECK(script.down_revision.line == 3);
      ReadProblem problem = only_problem(script);
      CHECK(problem.rule == "unreadable-value");
      CHECK(problem.line == 3);
      CHECK(problem.end_line == 3);
      CHECK(problem.message.find("down_revision is computed") == 0);
      // The rest of the file is still read.
      CHECK(script.id() == "r1");
      CHECK(script.branch_labels.line == 4);
    }
  }

  TEST_CASE("a computed value over several lines spans all of them") {
    RevisionScript script = read("revision = compute(\n    'a',\n    'b',\n)\n");
    ReadProblem problem = only_problem(script);
    CHECK(problem.rule == "unreadable-value");
    CHECK(problem.line == 1);
    CHECK(problem.end_line == 4);
    CHECK(problem.message.find("revision is computed") == 0);
    CHECK(script.revision.line == 1);
    CHECK(script.revision.end_line == 4);
  }

  TEST_CASE("an augmented assignment makes the name unreadable") {
    RevisionScript script = read("revision = 'abc'\nrevision += 'def'\n");
    CHECK(script.revision.present);
    CHECK_FALSE(script.revision.readable);
    CHECK(script.id().empty());
    ReadProblem problem = only_problem(script);
    CHECK(problem.rule == "unreadable-value");
    CHECK(problem.line == 2);
  }

  TEST_CASE("a later module-level assignment replaces an earlier one") {
    RevisionScript script = read_clean("revision = 'first'\nrevision = 'second'\n");
    CHECK(script.id() == "second");
    CHECK(script.revision.line == 2);
  }

  TEST_CASE("assignments inside functions, classes and blocks are ignored") {
    RevisionScript script = read_clean(
        "revision = 'outer'\n"
        "down_revision = None\n"
        "def upgrade():\n"
        "    revision = 'in_function'\n"
        "    down_revision = 'x'\n"
        "if True:\n"
        "    revision = 'in_if'\n"
        "else:\n"
        "\tbranch_labels = ('label',)\n"
        "class Thing:\n"
        "    depends_on = 'y'\n"
        "if False: revision = 'one_line_if'\n");
    CHECK(script.id() == "outer");
    CHECK(script.revision.line == 1);
    CHECK(script.down_revision.items.empty());
    CHECK_FALSE(script.branch_labels.present);
    CHECK_FALSE(script.depends_on.present);
    CHECK(script.upgrade_line == 3);
  }

  TEST_CASE("the names used in expressions, comparisons and calls are not assignments") {
    RevisionScript script = read_clean(
        "revision == 'nope'\n"
        "revision.upper()\n"
        "print(revision, down_revision='x')\n"
        "revision\n"
        "revision = 'yes'\n");
    CHECK(script.id() == "yes");
    CHECK(script.revision.line == 5);
    CHECK_FALSE(script.down_revision.present);
  }

  TEST_CASE("an assignment written inside the docstring is not one") {
    RevisionScript script = read_clean(
        "\"\"\"Fix the ids\n"
        "revision = 'fake'\n"
        "down_revision = 'fake_parent'\n"
        "\"\"\"\n"
        "revision = 'real'\n"
        "down_revision = None\n");
    CHECK(script.id() == "real");
    CHECK(script.revision.line == 5);
    CHECK(script.down_revision.items.empty());
    CHECK(script.down_revision.line == 6);
    CHECK(script.message == "Fix the ids");
  }

  TEST_CASE("the docstring's first non-blank line is the message") {
    RevisionScript script = read_clean(
        "# a comment before the docstring\n"
        "\n"
        "'''\n"
        "   \n"
        "  Add email to users   \n"
        "more text\n"
        "'''\n"
        "revision = 'a'\n");
    CHECK(script.message == "Add email to users");
    CHECK(script.docstring_line == 3);
  }

  TEST_CASE("a string that is not the first statement is no docstring") {
    RevisionScript script = read_clean("revision = 'a'\n\"\"\"not a docstring\"\"\"\n");
    CHECK(script.message.empty());
    CHECK(script.docstring_line == 0);
  }

  TEST_CASE("a module without docstring or functions has empty message and zero lines") {
    RevisionScript script = read_clean("revision = 'a'\ndown_revision = None\n");
    CHECK(script.message.empty());
    CHECK(script.docstring_line == 0);
    CHECK(script.upgrade_line == 0);
    CHECK(script.downgrade_line == 0);
  }

  TEST_CASE("statements separated by a semicolon are each read") {
    RevisionScript script = read_clean(
        "\"\"\"Doc\"\"\"; revision = 'a'; down_revision = ('b', 'c'); depends_on = None\n");
    CHECK(script.message == "Doc");
    CHECK(script.id() == "a");
    CHECK(script.down_revision.items == Items{"b", "c"});
    CHECK(script.down_revision.line == 1);
    CHECK(script.depends_on.present);
  }

  TEST_CASE("a semicolon inside brackets does not split statements") {
    RevisionScript script = read("revision = 'a'; down_revision = f(';'); branch_labels = None\n");
    CHECK(script.id() == "a");
    CHECK_FALSE(script.down_revision.readable);
    CHECK(script.branch_labels.present);
    CHECK(only_problem(script).rule == "unreadable-value");
  }

  TEST_CASE("bytes that are not UTF-8 are an invalid-encoding problem at their line") {
    RevisionScript script = read(
        "\"\"\"Add VAT number\"\"\"\n"
        "revision = 'a'\n"
        "down_revision = None\n"
        "COMMENT = 'Umsatzsteuer-Identifikationsnummer f\xFCr Kunden'\n"
        "OTHER = 'caf\xE9'\n");
    ReadProblem problem = only_problem(script);
    CHECK(problem.rule == "invalid-encoding");
    CHECK(problem.line == 4);
    CHECK(problem.end_line == 4);
    CHECK(problem.message.find("byte 0xFC on line 4 is not valid UTF-8") == 0);
    // The declarations are still read.
    CHECK(script.id() == "a");
  }

  TEST_CASE("an invalid byte inside a multi-line docstring names its own line") {
    RevisionScript script = read(
        "\"\"\"Add customers\n"
        "\n"
        "Author: J\xF6rg\n"
        "\"\"\"\n"
        "revision = 'a'\n");
    ReadProblem problem = only_problem(script);
    CHECK(problem.rule == "invalid-encoding");
    CHECK(problem.line == 3);
    CHECK(problem.message.find("byte 0xF6 on line 3") == 0);
  }

  TEST_CASE("a truncated multi-byte sequence is invalid, complete ones are fine") {
    RevisionScript fine = read_clean("revision = 'a'\nNAME = 'Jörg € 😀'\n");
    CHECK(fine.id() == "a");
    RevisionScript truncated = read("revision = 'a'\nNAME = 'J\xC3'\n");
    ReadProblem problem = only_problem(truncated);
    CHECK(problem.rule == "invalid-encoding");
    CHECK(problem.line == 2);
  }

  TEST_CASE("a coding cookie naming another encoding suppresses the UTF-8 check") {
    for (std::string_view cookie :
         {"# -*- coding: latin-1 -*-\n", "# vim: set fileencoding=iso-8859-1 :\n"}) {
      CAPTURE(cookie);
      RevisionScript script =
          read_clean(std::string(cookie) + "revision = 'a'\nCOMMENT = 'caf\xE9'\n");
      CHECK(script.id() == "a");
    }
    // On the second line, too.
    RevisionScript second =
        read_clean("#!/usr/bin/env python\n# coding=cp1252\nrevision = 'a'\nX = '\x80'\n");
    CHECK(second.id() == "a");
  }

  TEST_CASE("a coding cookie naming UTF-8, or one on the third line, does not suppress it") {
    for (std::string_view prefix :
         {"# -*- coding: utf-8 -*-\n", "# coding: UTF8\n", "\n\n# coding: latin-1\n"}) {
      CAPTURE(prefix);
      RevisionScript script = read(std::string(prefix) + "revision = 'a'\nX = 'caf\xE9'\n");
      CHECK(only_problem(script).rule == "invalid-encoding");
    }
  }

  TEST_CASE("a UTF-8 byte order mark is accepted") {
    RevisionScript script =
        read_clean("\xEF\xBB\xBF\"\"\"With BOM\"\"\"\nrevision = 'a'\ndown_revision = None\n");
    CHECK(script.id() == "a");
    CHECK(script.revision.line == 2);
    CHECK(script.message == "With BOM");
    CHECK(script.docstring_line == 1);
  }

  TEST_CASE("CRLF line endings") {
    RevisionScript script = read_clean(
        "\"\"\"Windows file\r\n"
        "\r\n"
        "Revision ID: a\r\n"
        "\"\"\"\r\n"
        "revision = 'a'\r\n"
        "down_revision = (\r\n"
        "    'b',\r\n"
        "    'c',\r\n"
        ")\r\n"
        "def upgrade():\r\n"
        "    pass\r\n");
    CHECK(script.message == "Windows file");
    CHECK(script.id() == "a");
    CHECK(script.revision.line == 5);
    CHECK(script.down_revision.items == Items{"b", "c"});
    CHECK(script.down_revision.line == 6);
    CHECK(script.down_revision.end_line == 9);
    CHECK(script.upgrade_line == 10);
  }

  TEST_CASE("an unterminated string is a syntax-error at its line") {
    RevisionScript script = read("revision = 'a'\ndown_revision = None\nX = 'oops\n");
    ReadProblem problem = only_problem(script);
    CHECK(problem.rule == "syntax-error");
    CHECK(problem.line == 3);
    CHECK(problem.end_line == 3);
    CHECK(problem.message == "Python cannot parse this file: unterminated string");
    // What came before the error was read.
    CHECK(script.id() == "a");
  }

  TEST_CASE("an unmatched bracket is a syntax-error at its line") {
    RevisionScript script = read("revision = 'a'\n\nx = 1)\n");
    ReadProblem problem = only_problem(script);
    CHECK(problem.rule == "syntax-error");
    CHECK(problem.line == 3);
    CHECK(problem.message == "Python cannot parse this file: unmatched ')'");
  }

  TEST_CASE("a file that never assigns revision") {
    RevisionScript script = read_clean("\"\"\"Only a docstring\"\"\"\ndown_revision = None\n");
    CHECK_FALSE(script.revision.present);
    CHECK_FALSE(script.revision.readable);
    CHECK(script.revision.line == 0);
    CHECK(script.id().empty());
    CHECK(script.down_revision.present);
  }

  TEST_CASE("an empty file reads as nothing at all") {
    RevisionScript script = read_clean("");
    CHECK_FALSE(script.revision.present);
    CHECK_FALSE(script.down_revision.present);
    CHECK(script.message.empty());
  }

  TEST_CASE("a revision given as a tuple has no id") {
    RevisionScript script = read_clean("revision = ('a', 'b')\n");
    CHECK(script.revision.readable);
    CHECK(script.revision.items == Items{"a", "b"});
    CHECK(script.id().empty());
  }
}

TEST_SUITE("graph/revision_script regressions") {
  TEST_CASE("assignment by unpacking is reported, never guessed") {
    RevisionScript script = read("revision, down_revision = 'a', None\n");
    CHECK(script.revision.present);
    CHECK_FALSE(script.revision.readable);
    CHECK(script.down_revision.present);
    REQUIRE(script.problems.size() == 2);
    CHECK(script.problems[0].rule == "unreadable-value");
    CHECK(script.problems[0].message.starts_with("revision is assigned by unpacking"));
    CHECK(script.problems[1].message.starts_with("down_revision is assigned by unpacking"));
  }

  TEST_CASE("a coding cookie on line 2 counts only when line 1 is blank or a comment") {
    RevisionScript after_code = read("revision = 'a'\n# -*- coding: latin-1 -*-\nX = '\xe9'\n");
    REQUIRE(after_code.problems.size() == 1);
    CHECK(after_code.problems[0].rule == "invalid-encoding");
    CHECK(read("#!/usr/bin/env python\n# -*- coding: latin-1 -*-\nX = '\xe9'\n").problems.empty());
  }
}

}  // namespace ag::graph
