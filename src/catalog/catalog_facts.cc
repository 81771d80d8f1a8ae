#include "catalog/catalog_facts.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "util/text.h"

namespace ag::catalog {
namespace {

using S = AttributeStyle;

// The table below is data: one entry per kind, laid out by hand to be read as a table.
// clang-format off

constexpr std::string_view kRelationOwner = "pg_get_userbyid(r.relowner)";
constexpr std::string_view kRelationPrivileges = "r.relacl::text";
constexpr std::string_view kConstraintKind = R"sql(CASE co.contype
    WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'f' THEN 'foreign key'
    WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion' WHEN 't' THEN 'trigger' WHEN 'n' THEN 'not null'
    ELSE co.contype::text END)sql";
// Without the DEFERRABLE / NOT VALID tail: deferrability and validation are compared on their own.
constexpr std::string_view kConstraintDefinition =
    R"sql(regexp_replace(pg_get_constraintdef(co.oid),
                         '( DEFERRABLE)?( INITIALLY DEFERRED)?( NOT VALID)?$', ''))sql";
constexpr std::string_view kValidation =
    "CASE WHEN co.convalidated THEN 'valid' ELSE 'not valid' END";
// The unit a comment (pg_description d) is read again with: the relation or domain its object
// belongs to, the composite type whose attribute it describes, or the object itself.
constexpr std::string_view kCommentUnit = R"sql(coalesce(CASE d.classoid
    WHEN 'pg_constraint'::regclass THEN (SELECT CASE WHEN co.conrelid <> 0 THEN co.conrelid
                                                     ELSE co.contypid END
                                         FROM pg_constraint co WHERE co.oid = d.objoid)
    WHEN 'pg_trigger'::regclass THEN (SELECT tg.tgrelid FROM pg_trigger tg WHERE tg.oid = d.objoid)
    WHEN 'pg_policy'::regclass THEN (SELECT pol.polrelid FROM pg_policy pol WHERE pol.oid = d.objoid)
    WHEN 'pg_rewrite'::regclass THEN (SELECT rw.ev_class FROM pg_rewrite rw WHERE rw.oid = d.objoid)
    WHEN 'pg_class'::regclass THEN (SELECT c.reltype FROM pg_class c
                                    WHERE c.oid = d.objoid AND c.relkind = 'c')
    END, d.objoid))sql";

void add_namespaces(std::vector<ObjectKind>& kinds) {
  kinds.push_back({
      .id = "schema", .label = "schema", .naming = Naming::plain,
      .schema_sql = "''", .parent_sql = "''", .name_sql = "ns.nspname",
      .attributes = {
          {"owner", S::named, "pg_get_userbyid(ns.nspowner)"},
          {"privileges", S::named, "ns.nspacl::text"}},
      .from_sql = "FROM ns", .unit_sql = "ns.oid"});
  kinds.push_back({
      .id = "extension", .label = "extension", .naming = Naming::plain,
      .schema_sql = "''", .parent_sql = "''", .name_sql = "e.extname",
      .attributes = {
          {"version", S::named, "e.extversion"},
          {"schema", S::named,
           "(SELECT n.nspname FROM pg_namespace n WHERE n.oid = e.extnamespace)"}},
      .from_sql = "FROM pg_extension e", .unit_sql = "e.oid"});
}

void add_tables(std::vector<ObjectKind>& kinds) {
  // A column's default or generation expression, looked up only when it has one: most do not.
  auto expression = [](std::string_view when) {
    return fmt::format("CASE WHEN {} THEN (SELECT pg_get_expr(ad.adbin, ad.adrelid) "
                       "FROM pg_attrdef ad WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum) "
                       "END",
                       when);
  };
  static const std::string column_default = expression("a.atthasdef AND a.attgenerated = ''");
  static const std::string column_generated = expression("a.attgenerated <> ''");

  kinds.push_back({
      .id = "table", .label = "table", .naming = Naming::plain,
      .schema_sql = "r.nspname", .parent_sql = "''", .name_sql = "r.relname",
      .attributes = {
          {"kind", S::named,
           "CASE r.relkind WHEN 'p' THEN 'partitioned' WHEN 'f' THEN 'foreign' ELSE 'plain' END"},
          {"persistence", S::bare,
           "CASE r.relpersistence WHEN 'u' THEN 'unlogged' WHEN 't' THEN 'temporary' "
           "ELSE 'logged' END"},
          {"partition key", S::named,
           "CASE WHEN r.relkind = 'p' THEN pg_get_partkeydef(r.oid) END"},
          {"partition of", S::named, R"sql(CASE WHEN r.relispartition THEN
              (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = r.oid)
              || ' ' || pg_get_expr(r.relpartbound, r.oid) END)sql"},
          {"inherits", S::named, R"sql(CASE WHEN NOT r.relispartition THEN
              (SELECT string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno)
               FROM pg_inherits i WHERE i.inhrelid = r.oid) END)sql"},
          {"options", S::named, "array_to_string(r.reloptions, ', ')"},
          {"row level security", S::bare, R"sql(CASE
              WHEN r.relforcerowsecurity THEN 'row level security forced'
              WHEN r.relrowsecurity THEN 'row level security enabled'
              ELSE 'row level security disabled' END)sql"},
          {"owner", S::named, kRelationOwner},
          {"privileges", S::named, kRelationPrivileges}},
      .from_sql = "FROM rel r WHERE r.relkind IN ('r', 'p', 'f')", .of_relation = true});

  // Column order is deliberately not compared: Alembic can only add columns at the end, so a
  // downgrade re-adding a dropped column cannot restore its place. Collation 100 is "default".
  kinds.push_back({
      .id = "column", .label = "column", .naming = Naming::dotted, .parent_kinds = {"table"},
      .schema_sql = "r.nspname", .parent_sql = "r.relname", .name_sql = "a.attname",
      .attributes = {
          {"type", S::type, "format_type(a.atttypid, a.atttypmod)"},
          {"nullability", S::bare, "CASE WHEN a.attnotnull THEN 'not null' ELSE 'nullable' END"},
          {"default", S::named, column_default},
          {"identity", S::named,
           "CASE a.attidentity WHEN 'a' THEN 'generated always' "
           "WHEN 'd' THEN 'generated by default' END"},
          {"generated as", S::named, column_generated},
          {"collation", S::named, R"sql(CASE WHEN a.attcollation NOT IN (0, 100) THEN
              (SELECT quote_ident(c.collname) FROM pg_collation c
               JOIN pg_type t ON t.oid = a.atttypid
               WHERE c.oid = a.attcollation AND c.oid <> t.typcollation) END)sql"}},
      .from_sql = "FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attrelid >= 16384 "
                  "AND a.attnum > 0 "
                  "AND NOT a.attisdropped WHERE r.relkind IN ('r', 'p', 'f')",
      .of_relation = true});

  kinds.push_back({
      .id = "constraint", .label = "constraint", .naming = Naming::on_parent,
      .parent_kinds = {"table"},
      .schema_sql = "r.nspname", .parent_sql = "r.relname", .name_sql = "co.conname",
      .attributes = {
          {"kind", S::named, kConstraintKind},
          {"definition", S::named, kConstraintDefinition},
          {"validation", S::bare, kValidation},
          {"deferrability", S::bare, R"sql(CASE WHEN NOT co.condeferrable THEN 'not deferrable'
              WHEN co.condeferred THEN 'deferrable initially deferred'
              ELSE 'deferrable initially immediate' END)sql"}},
      .from_sql = "FROM rel r JOIN pg_constraint co ON co.conrelid = r.oid", .of_relation = true});

  // Indexes that implement a primary key, unique or exclusion constraint are that constraint.
  // The definition starts at USING: name, table and uniqueness are compared on their own.
  kinds.push_back({
      .id = "index", .label = "index", .naming = Naming::on_parent,
      .parent_kinds = {"table", "materialized view"},
      .schema_sql = "r.nspname", .parent_sql = "r.relname", .name_sql = "ic.relname",
      .attributes = {
          {"definition", S::named,
           "substr(pg_get_indexdef(i.indexrelid), "
           "strpos(pg_get_indexdef(i.indexrelid), ' USING ') + 1)"},
          {"uniqueness", S::bare, "CASE WHEN i.indisunique THEN 'unique' ELSE 'not unique' END"},
          {"validity", S::bare, "CASE WHEN i.indisvalid THEN 'valid' ELSE 'invalid' END"}},
      .from_sql = R"sql(FROM rel r JOIN pg_index i ON i.indrelid = r.oid
          JOIN pg_class ic ON ic.oid = i.indexrelid
          WHERE NOT EXISTS (SELECT FROM pg_constraint co WHERE co.conindid = i.indexrelid
                            AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x')))sql",
      .of_relation = true});

  kinds.push_back({
      .id = "sequence", .label = "sequence", .naming = Naming::plain,
      .schema_sql = "r.nspname", .parent_sql = "''", .name_sql = "r.relname",
      .attributes = {
          {"type", S::type, "format_type(s.seqtypid, NULL)"},
          {"start", S::named, "s.seqstart::text"},
          {"increment", S::named, "s.seqincrement::text"},
          {"minimum", S::named, "s.seqmin::text"},
          {"maximum", S::named, "s.seqmax::text"},
          {"cycling", S::bare, "CASE WHEN s.seqcycle THEN 'cycle' ELSE 'no cycle' END"},
          {"owned by", S::named, R"sql((
              SELECT d.refobjid::regclass::text || '.' || quote_ident(a.attname) FROM pg_depend d
              JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid
                AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
                AND d.deptype IN ('a', 'i') LIMIT 1))sql"},
          {"owner", S::named, kRelationOwner},
          {"privileges", S::named, kRelationPrivileges}},
      .from_sql = "FROM rel r JOIN pg_sequence s ON s.seqrelid = r.oid WHERE r.relkind = 'S'",
      .of_relation = true});

  for (auto [id, from] : {std::pair<std::string_view, std::string_view>{
                              "view", "FROM rel r WHERE r.relkind = 'v'"},
                          {"materialized view", "FROM rel r WHERE r.relkind = 'm'"}}) {
    kinds.push_back({
        .id = id, .label = id, .naming = Naming::plain,
        .schema_sql = "r.nspname", .parent_sql = "''", .name_sql = "r.relname",
        .attributes = {
            {"definition", S::text, "pg_get_viewdef(r.oid)"},
            {"options", S::named, "array_to_string(r.reloptions, ', ')"},
            {"population", S::bare,
             "CASE WHEN r.relkind = 'm' AND NOT r.relispopulated THEN 'not populated' "
             "ELSE 'populated' END"},
            {"owner", S::named, kRelationOwner},
            {"privileges", S::named, kRelationPrivileges}},
        .from_sql = from,
        .of_relation = true});
  }
}

void add_routines(std::vector<ObjectKind>& kinds) {
  // Routines are identified by their argument types, as PostgreSQL does; names are definition.
  constexpr std::string_view kName = "p.proname || '(' || oidvectortypes(p.proargtypes) || ')'";
  for (auto [id, from] : {std::pair<std::string_view, std::string_view>{
                              "function", "FROM routine p WHERE p.prokind IN ('f', 'w')"},
                          {"procedure", "FROM routine p WHERE p.prokind = 'p'"}}) {
    kinds.push_back({
        .id = id, .label = id, .naming = Naming::plain,
        .schema_sql = "p.nspname", .parent_sql = "''", .name_sql = kName,
        .attributes = {
            {"definition", S::text, "pg_get_functiondef(p.oid)"},
            {"owner", S::named, "pg_get_userbyid(p.proowner)"},
            {"privileges", S::named, "p.proacl::text"}},
        .from_sql = from, .unit_sql = "p.oid"});
  }
  kinds.push_back({
      .id = "aggregate", .label = "aggregate", .naming = Naming::plain,
      .schema_sql = "p.nspname", .parent_sql = "''", .name_sql = kName,
      .attributes = {
          {"definition", S::named, R"sql((SELECT concat_ws(', ',
              'sfunc ' || ag.aggtransfn::regproc::text,
              'stype ' || format_type(ag.aggtranstype, NULL),
              'finalfunc ' || NULLIF(ag.aggfinalfn::regproc::text, '-'),
              'combinefunc ' || NULLIF(ag.aggcombinefn::regproc::text, '-'),
              'initcond ' || quote_literal(ag.agginitval))
              FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid))sql"},
          {"owner", S::named, "pg_get_userbyid(p.proowner)"},
          {"privileges", S::named, "p.proacl::text"}},
      .from_sql = "FROM routine p WHERE p.prokind = 'a'", .unit_sql = "p.oid"});
}

void add_table_parts(std::vector<ObjectKind>& kinds) {
  kinds.push_back({
      .id = "trigger", .label = "trigger", .naming = Naming::on_parent,
      .parent_kinds = {"table", "view"},
      .schema_sql = "r.nspname", .parent_sql = "r.relname", .name_sql = "tg.tgname",
      .attributes = {
          {"definition", S::named, "pg_get_triggerdef(tg.oid)"},
          {"state", S::bare, R"sql(CASE tg.tgenabled WHEN 'D' THEN 'disabled'
              WHEN 'R' THEN 'enabled on replica only' WHEN 'A' THEN 'enabled always'
              ELSE 'enabled' END)sql"}},
      .from_sql = "FROM rel r JOIN pg_trigger tg ON tg.tgrelid = r.oid WHERE NOT tg.tgisinternal",
      .of_relation = true});

  kinds.push_back({
      .id = "policy", .label = "policy", .naming = Naming::on_parent, .parent_kinds = {"table"},
      .schema_sql = "r.nspname", .parent_sql = "r.relname", .name_sql = "pol.polname",
      .attributes = {
          {"command", S::named, R"sql(CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
              WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END)sql"},
          {"mode", S::bare, "CASE WHEN pol.polpermissive THEN 'permissive' ELSE 'restrictive' END"},
          {"roles", S::named, R"sql((SELECT string_agg(x.name, ', ' ORDER BY x.name)
              FROM (SELECT CASE WHEN role = 0 THEN 'public'
                                ELSE quote_ident(pg_get_userbyid(role)) END AS name
                    FROM unnest(pol.polroles) AS u(role)) x))sql"},
          {"using", S::named, "pg_get_expr(pol.polqual, pol.polrelid)"},
          {"with check", S::named, "pg_get_expr(pol.polwithcheck, pol.polrelid)"}},
      .from_sql = "FROM rel r JOIN pg_policy pol ON pol.polrelid = r.oid", .of_relation = true});
}

void add_types(std::vector<ObjectKind>& kinds) {
  const AttributeSpec owner{"owner", S::named, "pg_get_userbyid(t.typowner)"};
  const AttributeSpec privileges{"privileges", S::named, "t.typacl::text"};
  kinds.push_back({
      .id = "enum type", .label = "enum type", .naming = Naming::plain,
      .schema_sql = "t.nspname", .parent_sql = "''", .name_sql = "t.typname",
      .attributes = {
          {"values", S::named, R"sql((
              SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
              FROM pg_enum e WHERE e.enumtypid = t.oid))sql"},
          owner, privileges},
      .from_sql = "FROM utype t WHERE t.typtype = 'e'", .unit_sql = "t.oid"});
  kinds.push_back({
      .id = "domain", .label = "domain", .naming = Naming::plain,
      .schema_sql = "t.nspname", .parent_sql = "''", .name_sql = "t.typname",
      .attributes = {
          {"base type", S::type, "format_type(t.typbasetype, t.typtypmod)"},
          {"nullability", S::bare, "CASE WHEN t.typnotnull THEN 'not null' ELSE 'nullable' END"},
          // Both as they resolve under the read's search_path (public), so that the strict
          // comparison can recreate the domain from them: not typdefault, the text written
          // under the search_path of the migration that set it.
          {"default", S::named, "pg_get_expr(t.typdefaultbin, 0)"},
          {"collation", S::named, R"sql(CASE WHEN t.typcollation <> bt.typcollation THEN
              (SELECT CASE WHEN c.collnamespace = 'pg_catalog'::regnamespace THEN ''
                           ELSE c.collnamespace::regnamespace::text || '.' END
                      || quote_ident(c.collname)
               FROM pg_collation c WHERE c.oid = t.typcollation) END)sql"},
          owner, privileges},
      .from_sql = "FROM utype t JOIN pg_type bt ON bt.oid = t.typbasetype WHERE t.typtype = 'd'",
      .unit_sql = "t.oid"});
  kinds.push_back({
      .id = "domain constraint", .label = "constraint", .naming = Naming::on_parent,
      .parent_label = "domain", .parent_kinds = {"domain"},
      .schema_sql = "t.nspname", .parent_sql = "t.typname", .name_sql = "co.conname",
      .attributes = {
          {"kind", S::named, kConstraintKind},
          {"definition", S::named, kConstraintDefinition},
          {"validation", S::bare, kValidation}},
      .from_sql =
          "FROM utype t JOIN pg_constraint co ON co.contypid = t.oid WHERE t.typtype = 'd'",
      .unit_sql = "t.oid"});
  kinds.push_back({
      .id = "composite type", .label = "composite type", .naming = Naming::plain,
      .schema_sql = "t.nspname", .parent_sql = "''", .name_sql = "t.typname",
      .attributes = {
          {"attributes", S::named, R"sql((
              SELECT string_agg(
                quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod),
                ', ' ORDER BY a.attnum)
              FROM pg_attribute a
              WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped))sql"},
          owner, privileges},
      .from_sql = "FROM utype t JOIN pg_class tc ON tc.oid = t.typrelid "
                  "WHERE t.typtype = 'c' AND tc.relkind = 'c'",
      .unit_sql = "t.oid"});
  kinds.push_back({
      .id = "range type", .label = "range type", .naming = Naming::plain,
      .schema_sql = "t.nspname", .parent_sql = "''", .name_sql = "t.typname",
      .attributes = {{"subtype", S::type, "format_type(rg.rngsubtype, NULL)"}, owner, privileges},
      .from_sql = "FROM utype t JOIN pg_range rg ON rg.rngtypid = t.oid WHERE t.typtype = 'r'",
      .unit_sql = "t.oid"});
}

// Comments, in two kinds. `parent` names the table (or domain, sequence, view, schema) the
// object belongs to, so that a comment on a table that exists on one side only is covered by the
// table's own line. Comments on tables, views, sequences, their columns and indexes can be many
// (some projects describe every column): they are found with joins and named as
// pg_describe_object() names them ("column email of table users"), without calling it.
void add_comments(std::vector<ObjectKind>& kinds) {
  kinds.push_back({
      .id = "comment", .label = "comment on", .naming = Naming::plain,
      .parent_kinds = {"table", "view", "materialized view", "sequence"},
      .schema_sql = "r.nspname", .parent_sql = "r.relname",
      .name_sql = R"sql(CASE WHEN d.objsubid > 0 THEN concat('column ', (
              SELECT a.attname FROM pg_attribute a
              WHERE a.attrelid = d.objoid AND a.attnum = d.objsubid), ' of ') ELSE '' END
          || CASE c.relkind WHEN 'i' THEN 'index' WHEN 'I' THEN 'index' WHEN 'S' THEN 'sequence'
               WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
               WHEN 'f' THEN 'foreign table' ELSE 'table' END
          || ' ' || CASE WHEN r.nspname = 'public' THEN quote_ident(c.relname)
                         ELSE quote_ident(r.nspname) || '.' || quote_ident(c.relname) END)sql",
      .attributes = {{"text", S::named, "d.description"}},
      .from_sql = R"sql(FROM pg_description d
          JOIN pg_class c ON c.oid = d.objoid
          JOIN rel r ON r.oid = CASE WHEN c.relkind IN ('i', 'I')
            THEN (SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = c.oid) ELSE c.oid END
          WHERE d.objoid >= 16384 AND d.classoid = 'pg_class'::regclass)sql",
      .of_relation = true});
  kinds.push_back({
      .id = "other comment", .label = "comment on", .naming = Naming::plain,
      .parent_kinds = {"schema", "table", "view", "materialized view", "sequence", "domain"},
      .schema_sql = "coalesce(o.schema, '')", .parent_sql = "coalesce(owner.name, '')",
      .name_sql = "pg_describe_object(d.classoid, d.objoid, d.objsubid)",
      .attributes = {{"text", S::named, "d.description"}},
      .from_sql = R"sql(FROM pg_description d
          CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
          LEFT JOIN LATERAL (
            SELECT c.relname::text AS name FROM pg_class c WHERE c.oid = CASE d.classoid
              WHEN 'pg_class'::regclass THEN coalesce(
                (SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = d.objoid), d.objoid)
              WHEN 'pg_constraint'::regclass THEN
                (SELECT co.conrelid FROM pg_constraint co WHERE co.oid = d.objoid)
              WHEN 'pg_trigger'::regclass THEN
                (SELECT tg.tgrelid FROM pg_trigger tg WHERE tg.oid = d.objoid)
              WHEN 'pg_policy'::regclass THEN
                (SELECT pol.polrelid FROM pg_policy pol WHERE pol.oid = d.objoid)
              END
            UNION ALL
            SELECT t.typname::text FROM pg_constraint co JOIN pg_type t ON t.oid = co.contypid
            WHERE d.classoid = 'pg_constraint'::regclass AND co.oid = d.objoid
            UNION ALL
            SELECT n.nspname::text FROM pg_namespace n
            WHERE d.classoid = 'pg_namespace'::regclass AND n.oid = d.objoid) owner ON true
          WHERE (d.objoid >= 16384 OR d.classoid = 'pg_namespace'::regclass
                                     AND d.objoid IN (SELECT ns.oid FROM ns))
            AND d.classoid <> 'pg_extension'::regclass
            AND (d.classoid <> 'pg_class'::regclass OR NOT EXISTS (
              SELECT FROM pg_class c WHERE c.oid = d.objoid
                AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S', 'i', 'I')))
            AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = d.classoid AND ext.objid = d.objoid)
            AND (o.schema IS NULL OR o.schema IN (SELECT ns.nspname FROM ns))
            AND NOT EXISTS (
              SELECT FROM excluded x
              WHERE (d.classoid = 'pg_class'::regclass AND d.objoid = x.oid)
                 OR EXISTS (SELECT FROM pg_depend dep
                            WHERE dep.classid = d.classoid AND dep.objid = d.objoid
                              AND dep.refclassid = 'pg_class'::regclass
                              AND dep.refobjid = x.oid)))sql",
      .unit_sql = kCommentUnit});
}

// clang-format on

std::vector<ObjectKind> make_kinds() {
  std::vector<ObjectKind> kinds;
  add_namespaces(kinds);
  add_tables(kinds);
  add_routines(kinds);
  add_table_parts(kinds);
  add_types(kinds);
  add_comments(kinds);
  return kinds;
}

// Whether an OID is among the touched units: an array, so that it drives index lookups (as
// IN (SELECT ...) the planner scanned every relation instead).
constexpr std::string_view kInTouched = "= ANY (ARRAY(SELECT oid FROM touched))";

/// The number of attribute columns every facts row has.
size_t attribute_columns() {
  size_t most = 0;
  for (const ObjectKind& kind : object_kinds()) most = std::max(most, kind.attributes.size());
  return most;
}

/// The columns of a facts row: `identity` (kind, schema, parent, name; the reading puts the unit
/// first), then a1 .. aN.
std::vector<std::string> fact_columns(std::vector<std::string> identity) {
  for (size_t i = 1; i <= attribute_columns(); ++i) identity.push_back(fmt::format("a{}", i));
  return identity;
}

/// `ARRAY['a', 'b']::text[]`, safely quoted.
std::string text_array(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& value : values) quoted.push_back(pg::quote_literal(value));
  return fmt::format("ARRAY[{}]::text[]", fmt::join(quoted, ", "));
}

/// The table names that `excluded` ("name" or "schema.name") can match: each entry, and what
/// follows each of its dots. They let `excluded` look tables up by name rather than read them all.
std::vector<std::string> table_names(const std::vector<std::string>& excluded) {
  std::vector<std::string> names;
  for (const std::string& entry : excluded) {
    names.push_back(entry);
    for (size_t dot = entry.find('.'); dot != std::string::npos; dot = entry.find('.', dot + 1))
      names.push_back(entry.substr(dot + 1));
  }
  return names;
}

// The common table expressions the kinds read from, each catalog scanned once: user schemas
// (ns), relations (rel), routines and types; extension members (ext: found through the index on
// what they depend on, the extension, rather than a scan of pg_depend) left out everywhere, the
// excluded tables left out of rel. Whatever users create gets an OID from 16384 up
// (FirstNormalObjectId, also after wraparound); only initdb's objects are below, so those
// catalogs are read by an index range scan. (Schemas are few, and public is 2200.) With
// `touched` (the CTEs that find the touched units), relations, routines and types are those
// touched only.
/// An object's privileges as pg_dump prints them: a set (items sorted), none when they are
/// the owner's default (`kind` as acldefault() takes it). A REVOKE of what a GRANT gave writes
/// the default out, and a GRANT back after a REVOKE appends its item last.
std::string privileges(std::string_view acl, std::string_view kind, std::string_view owner) {
  return fmt::format(
      "CASE WHEN {0} IS NOT NULL THEN NULLIF(ARRAY(SELECT a FROM unnest({0}) a ORDER BY a::text), "
      "ARRAY(SELECT a FROM unnest(acldefault({1}, {2})) a ORDER BY a::text)) END",
      acl, kind, owner);
}

std::string common_table_expressions(const SnapshotOptions& options,
                                     std::string_view touched = "") {
  std::string only_touched = touched.empty() ? "" : fmt::format(" AND {{}}.oid {}", kInTouched);
  return fmt::format(
      R"sql(WITH {3}ext AS MATERIALIZED (
  SELECT classid, objid FROM pg_depend
  WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'),
ns AS MATERIALIZED (
  SELECT n.oid, n.nspname::text AS nspname, n.nspowner,
         {6} AS nspacl
  FROM pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname !~ '^pg_(toast_)?temp_'
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_namespace'::regclass
                                      AND ext.objid = n.oid)),
excluded AS MATERIALIZED (
  SELECT c.oid FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.relname = ANY ({1}) AND c.relkind IN ('r', 'p')
    AND (c.relname = ANY ({0}) OR ns.nspname || '.' || c.relname = ANY ({0}))),
rel AS MATERIALIZED (
  SELECT c.oid, c.relname::text AS relname, c.relkind, c.relpersistence, c.relispartition,
         c.relpartbound, c.reloptions, c.relrowsecurity, c.relforcerowsecurity, c.relowner,
         {7} AS relacl,
         c.relispopulated,
         ns.nspname
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.oid >= 16384 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
    AND c.oid NOT IN (SELECT oid FROM excluded){2}),
routine AS MATERIALIZED (
  SELECT p.oid, p.proname::text AS proname, p.proargtypes, p.prokind, p.proowner,
         {8} AS proacl,
         ns.nspname
  FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  WHERE p.oid >= 16384
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
    -- made with another object and dropped with it (range type constructors): part of that one
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                                              AND d.objid = p.oid AND d.deptype = 'i'){4}),
utype AS MATERIALIZED (
  SELECT t.oid, t.typname::text AS typname, t.typtype, t.typowner,
         {9} AS typacl, t.typbasetype,
         t.typtypmod,
         t.typnotnull, t.typdefaultbin, t.typcollation, t.typrelid, ns.nspname
  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  WHERE t.oid >= 16384 AND t.typtype IN ('e', 'd', 'c', 'r')
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid){5}),
)sql",
      text_array(options.excluded_tables), text_array(table_names(options.excluded_tables)),
      fmt::format(fmt::runtime(only_touched), "c"), touched,
      fmt::format(fmt::runtime(only_touched), "p"), fmt::format(fmt::runtime(only_touched), "t"),
      privileges("n.nspacl", "'n'", "n.nspowner"),
      privileges("c.relacl", R"(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char")",
                 "c.relowner"),
      privileges("p.proacl", "'f'", "p.proowner"), privileges("t.typacl", "'T'", "t.typowner"));
}

/// The kind's rows for a snapshot: kind, identity and the attributes as text, NULLs up to
/// `columns`.
std::string select_facts(const ObjectKind& kind, size_t columns) {
  std::string sql =
      fmt::format("SELECT {}::text, ({})::text, ({})::text, ({})::text", pg::quote_literal(kind.id),
                  kind.schema_sql, kind.parent_sql, kind.name_sql);
  for (const AttributeSpec& attribute : kind.attributes)
    sql += fmt::format(", ({})::text", attribute.sql);
  for (size_t i = kind.attributes.size(); i < columns; ++i) sql += ", NULL::text";
  return sql + "\n  " + std::string(kind.from_sql);
}

/// The kind's rows for the roundtrip's reading: the unit's OID, then as select_facts(); text
/// attributes of objects outside relations as the md5 of their text with runs of white space
/// folded. With `touched_only`, the rows of touched units only (relations are filtered where
/// `rel` is made).
std::string select_unit_facts(const ObjectKind& kind, size_t columns, bool touched_only) {
  std::string sql =
      fmt::format("SELECT ({})::oid AS unit, {}::text, ({})::text, ({})::text, ({})::text",
                  kind.of_relation ? "r.oid" : kind.unit_sql, pg::quote_literal(kind.id),
                  kind.schema_sql, kind.parent_sql, kind.name_sql);
  for (const AttributeSpec& attribute : kind.attributes) {
    bool hashed = !kind.of_relation && attribute.style == AttributeStyle::text;
    // A body written again with other line breaks or indentation is the same body.
    sql += hashed
               ? fmt::format(", 'md5:' || md5(regexp_replace(btrim(({})::text), '\\s+', ' ', 'g'))",
                             attribute.sql)
               : fmt::format(", ({})::text", attribute.sql);
  }
  for (size_t i = kind.attributes.size(); i < columns; ++i) sql += ", NULL::text";
  sql += "\n  " + std::string(kind.from_sql);
  if (!touched_only || kind.of_relation) return sql;
  return fmt::format("SELECT * FROM ({}) k WHERE k.unit {}", sql, kInTouched);
}

}  // namespace

std::span<const ObjectKind> object_kinds() {
  static const std::vector<ObjectKind> kinds = make_kinds();
  return kinds;
}

const ObjectKind* find_object_kind(std::string_view id) {
  for (const ObjectKind& kind : object_kinds()) {
    if (kind.id == id) return &kind;
  }
  return nullptr;
}

std::string facts_query(const SnapshotOptions& options) {
  size_t columns = attribute_columns();
  std::vector<std::string> names = fact_columns({"kind", "schema", "parent", "name"});
  std::vector<std::string> selects;
  for (const ObjectKind& kind : object_kinds()) selects.push_back(select_facts(kind, columns));
  return fmt::format("{}facts ({}) AS (\n{}\n)\nSELECT * FROM facts",
                     common_table_expressions(options), fmt::join(names, ", "),
                     fmt::join(selects, "\nUNION ALL\n"));
}

namespace {

// What was touched since the xid counter stood at ag_start: relations and objects the current
// transaction locked (a drop locks each object it drops, a comment the object), those in ag_also
// (what an earlier transaction of the same step touched: its locks are gone), relations, types,
// routines, schemas, extensions and collations whose row was written (GRANT writes an ACL
// without a lock), the domains whose constraints were written, and what a written (renamed)
// schema holds; every
// domain when a constraint was locked (a dropped domain constraint leaves nothing else); and what
// names any of those through a dependency (a foreign key's referenced table and columns, a view's
// tables, a default's sequence, a column's or an argument's type, a trigger's function), since a
// rename changes how they print without locking them. An index stands for its table, a composite
// type's relation for the type. `{since}` is the test that a row was written since ag_start:
// xids compare modulo 2^32, as PostgreSQL's do.
constexpr std::string_view kTouched = R"sql(locks AS MATERIALIZED (
  SELECT l.locktype, l.relation, l.classid, l.objid FROM pg_locks l
  WHERE l.pid = pg_backend_pid() AND l.locktype IN ('relation', 'object')),
written AS MATERIALIZED (
  SELECT 'pg_class'::regclass AS classid, oid FROM pg_class WHERE oid >= 16384 AND {since}
  UNION ALL
  SELECT 'pg_type'::regclass, oid FROM pg_type WHERE oid >= 16384 AND {since}
  UNION ALL
  SELECT 'pg_proc'::regclass, oid FROM pg_proc WHERE oid >= 16384 AND {since}
  UNION ALL
  SELECT 'pg_namespace'::regclass, oid FROM pg_namespace WHERE {since}
  UNION ALL
  SELECT 'pg_collation'::regclass, oid FROM pg_collation WHERE oid >= 16384 AND {since}),
in_schema AS MATERIALIZED (
  SELECT 'pg_class'::regclass AS classid, c.oid FROM pg_class c
  WHERE EXISTS (SELECT FROM written WHERE classid = 'pg_namespace'::regclass)
    AND c.relnamespace IN (SELECT oid FROM written WHERE classid = 'pg_namespace'::regclass)
  UNION ALL
  SELECT 'pg_type'::regclass, t.oid FROM pg_type t
  WHERE EXISTS (SELECT FROM written WHERE classid = 'pg_namespace'::regclass)
    AND t.typnamespace IN (SELECT oid FROM written WHERE classid = 'pg_namespace'::regclass)
  UNION ALL
  SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p
  WHERE EXISTS (SELECT FROM written WHERE classid = 'pg_namespace'::regclass)
    AND p.pronamespace IN (SELECT oid FROM written WHERE classid = 'pg_namespace'::regclass)),
changed AS MATERIALIZED (
  SELECT relation AS oid FROM locks WHERE locktype = 'relation' AND relation >= 16384
  UNION
  SELECT unnest(ag_also)
  UNION
  SELECT oid FROM written WHERE classid = 'pg_class'::regclass
  UNION
  SELECT oid FROM in_schema WHERE classid = 'pg_class'::regclass),
named AS MATERIALIZED (
  SELECT 'pg_class'::regclass AS classid, oid FROM changed
  UNION
  SELECT classid, oid FROM written WHERE classid <> 'pg_class'::regclass
  UNION
  SELECT classid, oid FROM in_schema WHERE classid <> 'pg_class'::regclass),
owner AS MATERIALIZED (
  SELECT CASE d.classid
      WHEN 'pg_class'::regclass THEN d.objid
      WHEN 'pg_type'::regclass THEN d.objid
      WHEN 'pg_proc'::regclass THEN d.objid
      WHEN 'pg_constraint'::regclass THEN
        (SELECT CASE WHEN co.conrelid <> 0 THEN co.conrelid ELSE co.contypid END
         FROM pg_constraint co WHERE co.oid = d.objid)
      WHEN 'pg_attrdef'::regclass THEN (SELECT ad.adrelid FROM pg_attrdef ad WHERE ad.oid = d.objid)
      WHEN 'pg_rewrite'::regclass THEN (SELECT rw.ev_class FROM pg_rewrite rw WHERE rw.oid = d.objid)
      WHEN 'pg_trigger'::regclass THEN (SELECT tg.tgrelid FROM pg_trigger tg WHERE tg.oid = d.objid)
      WHEN 'pg_policy'::regclass THEN (SELECT pol.polrelid FROM pg_policy pol WHERE pol.oid = d.objid)
      ELSE d.objid  -- an extension in a renamed schema, an object a comment describes
      END AS oid
  FROM named JOIN pg_depend d ON d.refclassid = named.classid AND d.refobjid = named.oid
  UNION ALL
  SELECT oid FROM named),
touched AS MATERIALIZED (
  SELECT DISTINCT coalesce(x.indrelid, CASE WHEN c.relkind = 'c' THEN c.reltype END, o.oid) AS oid
  FROM owner o LEFT JOIN pg_index x ON x.indexrelid = o.oid LEFT JOIN pg_class c ON c.oid = o.oid
  WHERE o.oid IS NOT NULL
  UNION
  SELECT oid FROM changed
  UNION
  SELECT objid FROM locks WHERE locktype = 'object'
  UNION
  SELECT contypid FROM pg_constraint WHERE contypid >= 16384 AND {since}
  UNION
  SELECT oid FROM pg_extension WHERE {since}
  UNION
  SELECT oid FROM pg_type
  WHERE oid >= 16384 AND typtype = 'd'
    AND EXISTS (SELECT FROM locks WHERE classid = 'pg_constraint'::regclass)),
)sql";
// Whether the row's xmin (a 32-bit xid) comes at or after ag_start.
constexpr std::string_view kWrittenSinceStart =
    "mod(xmin::text::int8 - ag_start + 4294967296, 4294967296) < 2147483648";

// Settings as query_catalog() fixes them, for the function's run only.
constexpr std::string_view kReadingSettings =
    "SET search_path = public SET quote_all_identifiers = off SET DateStyle = 'ISO, YMD' "
    "SET IntervalStyle = 'postgres' SET extra_float_digits = 1 SET bytea_output = 'hex' "
    "SET jit = off SET statement_timeout = '2min'";
// A scratch database plans with the catalog statistics it was created with (template0's, a few
// rows per catalog) while migrations fill it with thousands, or with statistics autovacuum took
// at any time meanwhile: plans follow them, not the query. Reading a few relations, a scan of a
// whole catalog costs ten times what looking them up by index does (and a merge join reads a
// whole index: pg_depend's, for the four objects a step named), and a custom plan costs more to
// make than to run: the plan is made once per session. Reading whole catalogs, the plan a
// snapshot gets costs a fifth of one without nested loops.
constexpr std::string_view kFewRows =
    " SET enable_seqscan = off SET enable_mergejoin = off SET enable_hashjoin = off "
    "SET plan_cache_mode = force_generic_plan";

/// Opens the read-only transaction catalog queries run in, in one round trip; `isolation` is
/// "READ COMMITTED" or "REPEATABLE READ", `then` statements to run at once in it.
Status begin_catalog_read(pg::Connection& connection, std::string_view isolation,
                          std::string_view then = "") {
  if (!connection.idle())
    return Error{"catalog snapshot: the connection is inside a transaction", "", 0};
  // Everything that changes how pg_get_*def() and format_type() print, fixed for this transaction;
  // no JIT, which would spend longer compiling this large query than running it; and a bound on
  // the query, so that nothing (a lock some other session holds) can make a run hang on it.
  Status begun = connection.run(
      fmt::format("BEGIN ISOLATION LEVEL {} READ ONLY; SET LOCAL search_path = public; "
                  "SET LOCAL quote_all_identifiers = off; SET LOCAL DateStyle = 'ISO, YMD'; "
                  "SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 1; "
                  "SET LOCAL bytea_output = 'hex'; SET LOCAL jit = off; "
                  "SET LOCAL statement_timeout = '2min'{}",
                  isolation, then));
  if (!begun) (void)connection.run("ROLLBACK");
  return begun;
}

}  // namespace

std::string relation_facts_function(const SnapshotOptions& options, std::string_view name,
                                    bool touched_only) {
  size_t columns = attribute_columns();
  std::vector<std::string> names = fact_columns({"unit", "kind", "schema", "parent", "name"});
  std::vector<std::string> selects;
  for (const ObjectKind& kind : object_kinds())
    selects.push_back(select_unit_facts(kind, columns, touched_only));
  if (touched_only) {
    std::string listed = "SELECT oid, '#touched'";
    for (size_t i = 0; i < columns + 3; ++i) listed += ", NULL::text";
    selects.push_back(listed + " FROM touched");
  }
  // Every column text, the unit's OID too: the worker hands the rows on as they come.
  std::vector<std::string> outputs = names;
  outputs.front() = "unit::text";
  std::string query = fmt::format(
      "{}facts ({}) AS (\n{}\n)\nSELECT {} FROM facts",
      common_table_expressions(
          options, touched_only
                       ? fmt::format(fmt::runtime(kTouched), fmt::arg("since", kWrittenSinceStart))
                       : ""),
      fmt::join(names, ", "), fmt::join(selects, "\nUNION ALL\n"), fmt::join(outputs, ", "));
  return fmt::format(
      "CREATE OR REPLACE FUNCTION pg_temp.{}(ag_start int8, ag_also oid[]) RETURNS TABLE ({} text) "
      "LANGUAGE plpgsql "
      "STABLE {}{} AS $ag_reading$\n#variable_conflict use_column\nBEGIN\nRETURN QUERY {};\nEND "
      "$ag_reading$",
      name, fmt::join(names, " text, "), kReadingSettings, touched_only ? kFewRows : "", query);
}

Result<pg::QueryResult> query_catalog(pg::Connection& connection, const std::string& sql) {
  if (Status begun = begin_catalog_read(connection, "READ COMMITTED"); !begun) return begun.error();
  Result<pg::QueryResult> rows = connection.exec_cached(sql);
  Status ended = connection.run(rows ? "COMMIT" : "ROLLBACK");
  if (rows && !ended) return ended.error();
  return rows;
}

}  // namespace ag::catalog
