#include "catalog/snapshot_diff.h"

#include <doctest/doctest.h>

namespace ag::catalog {
namespace {

using Lines = std::vector<std::string>;

/// An object with its kind's attributes all absent but those given, by attribute name.
void put(Snapshot& snapshot, ObjectKey key,
         const std::vector<std::pair<std::string, std::string>>& values = {}) {
  const ObjectKind* kind = find_object_kind(key.kind);
  REQUIRE(kind != nullptr);
  Attributes attributes(kind->attributes.size());
  for (const auto& [name, value] : values) {
    auto it = std::find_if(kind->attributes.begin(), kind->attributes.end(),
                           [&](const AttributeSpec& spec) { return spec.name == name; });
    REQUIRE_MESSAGE(it != kind->attributes.end(), name);
    attributes[static_cast<size_t>(it - kind->attributes.begin())] = value;
  }
  snapshot.objects[std::move(key)] = std::move(attributes);
}

}  // namespace

TEST_SUITE("catalog") {
  TEST_CASE("catalog: diff lines name objects the way a reviewer reads them") {
    CHECK(describe_object({"column", "public", "posts", "title"}) == "column posts.title");
    CHECK(describe_object({"column", "app", "posts", "title"}) == "column app.posts.title");
    CHECK(describe_object({"index", "public", "users", "ix_users_email"}) ==
          "index ix_users_email on users");
    CHECK(describe_object({"domain constraint", "app", "posint", "positive"}) ==
          "constraint positive on domain app.posint");
    CHECK(describe_object({"table", "public", "", "users"}) == "table users");
    CHECK(describe_object({"schema", "", "", "app"}) == "schema app");
    CHECK(describe_object({"function", "app", "", "add(integer, integer)"}) ==
          "function app.add(integer, integer)");
    CHECK(describe_object({"comment", "public", "users", "column email of table users"}) ==
          "comment on column email of table users");
  }

  TEST_CASE("catalog: diff wording follows the sides' names") {
    Snapshot before, after;
    put(before, {"table", "public", "", "users"});
    put(after, {"table", "public", "", "users"});
    put(after, {"index", "public", "users", "ix_users_email"});
    put(before, {"table", "public", "", "posts"});
    put(after, {"table", "public", "", "posts"});
    put(before, {"column", "public", "posts", "title"},
        {{"type", "character varying(100)"}, {"nullability", "nullable"}});
    put(after, {"column", "public", "posts", "title"},
        {{"type", "character varying(200)"}, {"nullability", "not null"}});
    put(before, {"column", "public", "posts", "body"}, {{"type", "text"}, {"default", "''::text"}});
    put(after, {"column", "public", "posts", "body"}, {{"type", "text"}});
    put(before, {"sequence", "public", "", "posts_id_seq"});

    CHECK(
        diff_snapshots(before, after, {"before the upgrade", "after the downgrade"}) ==
        Lines{
            "column posts.body: default ''::text before the upgrade, none after the downgrade",
            "column posts.title: type varchar(100) before the upgrade, varchar(200) after the "
            "downgrade",
            "column posts.title: nullable before the upgrade, not null after the downgrade",
            "index ix_users_email on users exists after the downgrade but did not before the "
            "upgrade",
            "sequence posts_id_seq is missing after the downgrade but existed before the upgrade"});
    CHECK(diff_snapshots(before, after) ==
          Lines{"column posts.body: default ''::text before, none after",
                "column posts.title: type varchar(100) before, varchar(200) after",
                "column posts.title: nullable before, not null after",
                "index ix_users_email on users exists after but did not before",
                "sequence posts_id_seq is missing after but existed before"});
    CHECK(diff_snapshots(after, after).empty());
  }

  TEST_CASE(
      "catalog: objects of a table that exists on one side only are covered by the table's line") {
    Snapshot before, after;
    put(after, {"table", "public", "", "comments"});
    put(after, {"column", "public", "comments", "id"}, {{"type", "integer"}});
    put(after, {"constraint", "public", "comments", "comments_pkey"});
    put(after, {"index", "public", "comments", "ix_comments_post"});
    put(after, {"comment", "public", "comments", "table comments"}, {{"text", "what readers say"}});
    put(before, {"domain", "public", "", "posint"});
    put(before, {"domain constraint", "public", "posint", "positive"});
    CHECK(diff_snapshots(before, after) ==
          Lines{"table comments exists after but did not before",
                "domain posint is missing after but existed before"});
  }

  TEST_CASE("catalog: long definitions are shown by their first differing line") {
    Snapshot before, after;
    put(before, {"view", "public", "", "recent"},
        {{"definition", " SELECT posts.id\n   FROM posts;"}});
    put(after, {"view", "public", "", "recent"},
        {{"definition", " SELECT posts.id\n   FROM posts\n  WHERE true;"}});
    put(before, {"function", "public", "", "f()"}, {{"definition", "short"}});
    put(after, {"function", "public", "", "f()"}, {{"definition", "shorter"}});
    CHECK(diff_snapshots(before, after) ==
          Lines{"view recent: definition differs at line 2: `   FROM posts;` before, `   FROM "
                "posts` after",
                "function f(): definition short before, shorter after"});
    Snapshot longer = before;
    put(longer, {"view", "public", "", "recent"},
        {{"definition", " SELECT posts.id\n   FROM posts;\n-- more"}});
    CHECK(diff_snapshots(before, longer) ==
          Lines{"view recent: definition differs at line 3: nothing before, `-- more` after"});
  }

  TEST_CASE("catalog: PostgreSQL's long type names are shortened for display") {
    CHECK(short_type_name("character varying(100)") == "varchar(100)");
    CHECK(short_type_name("character varying") == "varchar");
    CHECK(short_type_name("character varying(20)[]") == "varchar(20)[]");
    CHECK(short_type_name("character(3)") == "char(3)");
    CHECK(short_type_name("timestamp without time zone") == "timestamp");
    CHECK(short_type_name("timestamp(3) with time zone") == "timestamptz(3)");
    CHECK(short_type_name("timestamp with time zone") == "timestamptz");
    CHECK(short_type_name("time with time zone") == "timetz");
    CHECK(short_type_name("time(2) without time zone") == "time(2)");
    CHECK(short_type_name("bit varying(8)") == "varbit(8)");
    CHECK(short_type_name("double precision") == "double precision");
    CHECK(short_type_name("\"char\"") == "\"char\"");
    CHECK(short_type_name("numeric(12,2)") == "numeric(12,2)");
  }

}  // TEST_SUITE

}  // namespace ag::catalog
