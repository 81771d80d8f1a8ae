// IniFile: configparser's reading of alembic.ini, as far as Alembic's settings need it.
#include "util/ini.h"

#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>

namespace ag {
namespace {

const std::map<std::string, std::string> kNoDefaults;

IniFile parse_ok(std::string_view text) {
  Result<IniFile> ini = IniFile::parse(text, "alembic.ini");
  INFO((ini ? std::string() : ini.error().describe()));
  REQUIRE(ini.ok());
  return *ini;
}

/// The interpolated value, which must exist and interpolate without error.
std::string value_of(const IniFile& ini, std::string_view section, std::string_view key,
                     const std::map<std::string, std::string>& defaults = kNoDefaults) {
  Result<std::optional<std::string>> value = ini.get(section, key, defaults);
  INFO((value ? std::string() : value.error().describe()));
  REQUIRE(value.ok());
  REQUIRE(value->has_value());
  return **value;
}

/// The error of get(), which must fail.
Error get_error(const IniFile& ini, std::string_view section, std::string_view key,
                const std::map<std::string, std::string>& defaults = kNoDefaults) {
  Result<std::optional<std::string>> value = ini.get(section, key, defaults);
  REQUIRE_FALSE(value.ok());
  return value.error();
}

Error parse_error(std::string_view text) {
  Result<IniFile> ini = IniFile::parse(text, "conf/alembic.ini");
  REQUIRE_FALSE(ini.ok());
  return ini.error();
}

}  // namespace

TEST_SUITE("util/ini") {
  TEST_CASE("sections hold their own keys, with their lines") {
    IniFile ini = parse_ok(
        "[alembic]\n"
        "script_location = migrations\n"
        "\n"
        "[loggers]\n"
        "keys = root,sqlalchemy\n");
    CHECK(value_of(ini, "alembic", "script_location") == "migrations");
    CHECK(value_of(ini, "loggers", "keys") == "root,sqlalchemy");
    CHECK(ini.has_section("alembic"));
    CHECK(ini.has_section("loggers"));
    CHECK_FALSE(ini.has_section("handlers"));
    CHECK(ini.line_of("alembic") == 1);
    CHECK(ini.line_of("loggers") == 4);
    CHECK(ini.line_of("alembic", "script_location") == 2);
    CHECK(ini.line_of("loggers", "keys") == 5);
    CHECK(ini.line_of("alembic", "keys") == 0);
    CHECK(ini.line_of("nowhere") == 0);
    Result<std::optional<std::string>> absent = ini.get("alembic", "keys", kNoDefaults);
    REQUIRE(absent.ok());
    CHECK_FALSE(absent->has_value());
    Result<std::optional<std::string>> no_section = ini.get("nowhere", "keys", kNoDefaults);
    REQUIRE(no_section.ok());
    CHECK_FALSE(no_section->has_value());
  }

  TEST_CASE("both separators, the first one wins, and values and keys are stripped") {
    IniFile ini = parse_ok(
        "[alembic]\n"
        "  spaced   =   a value with spaces   \n"
        "colon: b\n"
        "sqlalchemy.url = postgresql://user:secret@host/db\n"
        "mapping: left=right\n"
        "empty =\n");
    CHECK(value_of(ini, "alembic", "spaced") == "a value with spaces");
    CHECK(value_of(ini, "alembic", "colon") == "b");
    CHECK(value_of(ini, "alembic", "sqlalchemy.url") == "postgresql://user:secret@host/db");
    CHECK(value_of(ini, "alembic", "mapping") == "left=right");
    CHECK(value_of(ini, "alembic", "empty") == "");
  }

  TEST_CASE("keys are case-insensitive, section names are not") {
    IniFile ini = parse_ok("[Alembic]\nScript_Location = Migrations\n");
    CHECK(value_of(ini, "Alembic", "script_location") == "Migrations");
    CHECK(value_of(ini, "Alembic", "SCRIPT_LOCATION") == "Migrations");
    CHECK(ini.line_of("Alembic", "Script_LOCATION") == 2);
    CHECK_FALSE(ini.has_section("alembic"));
  }

  TEST_CASE("full-line # and semicolon comments are skipped, also indented, inline ones are kept") {
    IniFile ini = parse_ok(
        "# leading comment\n"
        "; another\n"
        "[alembic]\n"
        "# script_location = commented_out\n"
        "  ; indented = comment\n"
        "script_location = migrations ; not a comment\n"
        "url = a # nor this\n");
    CHECK(value_of(ini, "alembic", "script_location") == "migrations ; not a comment");
    CHECK(value_of(ini, "alembic", "url") == "a # nor this");
    CHECK(ini.line_of("alembic", "script_location") == 6);
    Result<std::optional<std::string>> indented = ini.get("alembic", "indented", kNoDefaults);
    REQUIRE(indented.ok());
    CHECK_FALSE(indented->has_value());
  }

  TEST_CASE("indented lines continue the previous value, joined by newlines") {
    IniFile ini = parse_ok(
        "[alembic]\n"
        "version_locations =\n"
        "    one\n"
        "\ttwo\n"
        "\n"
        "    three\n"
        "after = x\n");
    CHECK(value_of(ini, "alembic", "version_locations") == "\none\ntwo\nthree");
    CHECK(ini.line_of("alembic", "version_locations") == 2);
    CHECK(value_of(ini, "alembic", "after") == "x");
    CHECK(ini.line_of("alembic", "after") == 7);
  }

  TEST_CASE("an indented line right after a section header is a key, not a continuation") {
    IniFile ini = parse_ok("[alembic]\n  key = value\n");
    CHECK(value_of(ini, "alembic", "key") == "value");
  }

  TEST_CASE("CRLF line endings") {
    IniFile ini = parse_ok("[alembic]\r\nscript_location = migrations\r\nother = x\r\n");
    CHECK(value_of(ini, "alembic", "script_location") == "migrations");
    CHECK(ini.line_of("alembic", "other") == 3);
  }

  TEST_CASE("%(here)s comes from the defaults") {
    IniFile ini = parse_ok("[alembic]\nscript_location = %(here)s/migrations\n");
    CHECK(value_of(ini, "alembic", "script_location", {{"here", "/srv/app"}}) ==
          "/srv/app/migrations");
  }

  TEST_CASE("%(name)s resolves in the same section, then [DEFAULT], then the defaults") {
    IniFile ini = parse_ok(
        "[DEFAULT]\n"
        "base = /from/default\n"
        "here = /from/default-section\n"
        "[alembic]\n"
        "root = /from/section\n"
        "a = %(root)s/x\n"
        "b = %(base)s/y\n"
        "c = %(here)s/z\n"
        "d = %(ROOT)s\n"
        "chained = %(a)s/more\n"
        "[other]\n"
        "e = %(root)s\n");
    std::map<std::string, std::string> defaults{{"here", "/from/defaults"}, {"root", "/d"}};
    CHECK(value_of(ini, "alembic", "a", defaults) == "/from/section/x");
    CHECK(value_of(ini, "alembic", "b", defaults) == "/from/default/y");
    CHECK(value_of(ini, "alembic", "c", defaults) == "/from/default-section/z");
    CHECK(value_of(ini, "alembic", "d", defaults) == "/from/section");
    CHECK(value_of(ini, "alembic", "chained", defaults) == "/from/section/x/more");
    // [other] has no root of its own: the defaults' one, not [alembic]'s.
    CHECK(value_of(ini, "other", "e", defaults) == "/d");
    // Keys of [DEFAULT] are visible from every section.
    CHECK(value_of(ini, "other", "base", defaults) == "/from/default");
  }

  TEST_CASE("%% is a literal percent sign") {
    IniFile ini = parse_ok("[alembic]\nfile_template = %%(rev)s_%%(slug)s\nratio = 100%%\n");
    CHECK(value_of(ini, "alembic", "file_template") == "%(rev)s_%(slug)s");
    CHECK(value_of(ini, "alembic", "ratio") == "100%");
  }

  TEST_CASE("an unknown %(name)s is an error naming file:line and the name") {
    IniFile ini = parse_ok("[alembic]\n\nscript_location = %(nowhere)s/migrations\n");
    Error error = get_error(ini, "alembic", "script_location", {{"here", "/x"}});
    CHECK(error.where == "alembic.ini");
    CHECK(error.line == 3);
    CHECK(error.message == "'%(nowhere)s' refers to an unknown option");
    CHECK(error.describe() == "alembic.ini:3: '%(nowhere)s' refers to an unknown option");
  }

  TEST_CASE("an unknown name inside a referenced value points at that value's line") {
    IniFile ini = parse_ok("[alembic]\na = %(b)s\nb = %(missing)s\n");
    Error error = get_error(ini, "alembic", "a");
    CHECK(error.line == 3);
    CHECK(error.message == "'%(missing)s' refers to an unknown option");
  }

  TEST_CASE("bad % syntax and endless recursion are errors") {
    IniFile ini = parse_ok(
        "[alembic]\n"
        "lone = 50% off\n"
        "open = %(here\n"
        "loop_a = %(loop_b)s\n"
        "loop_b = %(loop_a)s\n");
    Error lone = get_error(ini, "alembic", "lone");
    CHECK(lone.line == 2);
    CHECK(lone.message == "'%' must be followed by '%' or '(' in '50% off'");
    Error open = get_error(ini, "alembic", "open", {{"here", "/x"}});
    CHECK(open.line == 3);
    CHECK(open.message == "bad interpolation syntax in '%(here'");
    Error loop = get_error(ini, "alembic", "loop_a");
    CHECK(loop.message == "interpolation nested too deeply");
  }

  TEST_CASE("a malformed section header is an error with its line") {
    Error error = parse_error("[alembic]\nscript_location = m\n[loggers\nkeys = root\n");
    CHECK(error.where == "conf/alembic.ini");
    CHECK(error.line == 3);
    CHECK(error.message == "malformed section header");
  }

  TEST_CASE("a key before any section is an error with its line") {
    Error error = parse_error("# comment\n\nscript_location = migrations\n[alembic]\n");
    CHECK(error.line == 3);
    CHECK(error.message == "key outside of any [section]");
    CHECK(error.describe() == "conf/alembic.ini:3: key outside of any [section]");
  }

  TEST_CASE("a line with no separator inside a section is an error with its line") {
    Error error = parse_error("[alembic]\nscript_location = m\njust_a_word\n");
    CHECK(error.line == 3);
    CHECK(error.message == "expected 'key = value'");
  }

  // Alembic reads the file with a strict ConfigParser: DuplicateOptionError, DuplicateSectionError.
  TEST_CASE("a key or a section given twice is an error at the second, as configparser says") {
    Error key = parse_error("[alembic]\nkey = first\nKEY = second\n");
    CHECK(key.line == 3);
    CHECK(key.message ==
          "key 'key' appears twice in [alembic] (first at line 2); Alembic's configparser "
          "refuses the file");
    Error section = parse_error("[alembic]\nkey = 1\n[loggers]\n[alembic]\nother = 2\n");
    CHECK(section.line == 4);
    CHECK(section.message ==
          "section [alembic] appears twice (first at line 1); Alembic's configparser refuses the "
          "file");
    CHECK(value_of(parse_ok("[a]\nkey = 1\n[b]\nkey = 2\n"), "b", "key") == "2");
    IniFile reopened = parse_ok("[DEFAULT]\na = 1\n[alembic]\nx = 2\n[DEFAULT]\nb = 3\n");
    CHECK(value_of(reopened, "alembic", "b") == "3");
  }
}

TEST_CASE("a comment after a section header is ignored, as configparser does") {
  IniFile ini = parse_ok("[alembic] # the main section\nscript_location = m\n");
  CHECK(value_of(ini, "alembic", "script_location") == "m");
}

}  // namespace ag
