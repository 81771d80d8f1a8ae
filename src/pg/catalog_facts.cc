#include "pg/catalog_facts.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "util/text.h"

namespace ag::pg {
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

void add_namespaces(std::vector<ObjectKind>& kinds) {
  kinds.push_back({
      .id = "schema", .label = "schema", .naming = Naming::plain,
      .schema_sql = "''", .parent_sql = "''", .name_sql = "ns.nspname",
      .attributes = {
          {"owner", S::named, "pg_get_userbyid(ns.nspowner)"},
          {"privileges", S::named, "ns.nspacl::text"}},
      .from_sql = "FROM ns"});
  kinds.push_back({
      .id = "extension", .label = "extension", .naming = Naming::plain,
      .schema_sql = "''", .parent_sql = "''", .name_sql = "e.extname",
      .attributes = {
          {"version", S::named, "e.extversion"},
          {"schema", S::named,
           "(SELECT n.nspname FROM pg_namespace n WHERE n.oid = e.extnamespace)"}},
      .from_sql = "FROM pg_extension e"});
}

void add_tables(std::vector<ObjectKind>& kinds) {
  // A column's default or generation expression, looked up only when it has one: most do not.
  // A default cannot refer to columns, so the fingerprint deparses it without its table, which
  // costs a third as much (deparsing with the table opens and locks it).
  auto expression = [](std::string_view when, std::string_view table) {
    return fmt::format("CASE WHEN {} THEN (SELECT pg_get_expr(ad.adbin, {}) FROM pg_attrdef ad "
                       "WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum) END",
                       when, table);
  };
  constexpr std::string_view kHasDefault = "a.atthasdef AND a.attgenerated = ''";
  static const std::string column_default = expression(kHasDefault, "ad.adrelid");
  static const std::string column_default_fingerprint = expression(kHasDefault, "0");
  static const std::string column_generated = expression("a.attgenerated <> ''", "ad.adrelid");

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
      .from_sql = "FROM rel r WHERE r.relkind IN ('r', 'p', 'f')"});

  // Column order is deliberately not compared: Alembic can only add columns at the end, so a
  // downgrade re-adding a dropped column cannot restore its place. The fingerprint does hash the
  // column number, on which index and constraint keys rely there. Collation 100 is "default".
  kinds.push_back({
      .id = "column", .label = "column", .naming = Naming::dotted, .parent_kinds = {"table"},
      .schema_sql = "r.nspname", .parent_sql = "r.relname", .name_sql = "a.attname",
      .attributes = {
          {"type", S::type, "format_type(a.atttypid, a.atttypmod)"},
          {"nullability", S::bare, "CASE WHEN a.attnotnull THEN 'not null' ELSE 'nullable' END"},
          {"default", S::named, column_default, column_default_fingerprint},
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
      .fingerprint_extra_sql = "a.attnum"});

  // The fingerprint reads a constraint's definition raw where that is cheaper: a foreign key's
  // columns (by number: see column), the referenced table and columns and the actions (ON DELETE
  // SET NULL/DEFAULT may list columns, so those deparse); a primary key's or unique constraint's
  // columns and its index's INCLUDE columns, options, tablespace and NULLS NOT DISTINCT; a
  // check's expression alone (pg_get_constraintdef() costs half as much again).
  kinds.push_back({
      .id = "constraint", .label = "constraint", .naming = Naming::on_parent,
      .parent_kinds = {"table"},
      .schema_sql = "r.nspname", .parent_sql = "r.relname", .name_sql = "co.conname",
      .attributes = {
          {"kind", S::named, kConstraintKind},
          {"definition", S::named, kConstraintDefinition,
           R"sql(CASE
              WHEN co.contype = 'f' AND co.confdeltype NOT IN ('n', 'd')
              THEN format('%s|%s|%s|%s|%s|%s', co.conkey, co.confrelid::regclass, co.confkey,
                          co.confupdtype, co.confdeltype, co.confmatchtype)
              WHEN co.contype IN ('p', 'u') THEN (
                SELECT format('%s|%s|%s|%s|%s|%s', co.conkey, i.indkey, i.indnkeyatts,
                              ic.reloptions, ic.reltablespace, {nulls_not_distinct})
                FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                WHERE i.indexrelid = co.conindid)
              WHEN co.contype = 'c' THEN format('%s|%s', pg_get_expr(co.conbin, co.conrelid),
                                                co.connoinherit)
              ELSE pg_get_constraintdef(co.oid) END)sql"},
          {"validation", S::bare, kValidation},
          {"deferrability", S::bare, R"sql(CASE WHEN NOT co.condeferrable THEN 'not deferrable'
              WHEN co.condeferred THEN 'deferrable initially deferred'
              ELSE 'deferrable initially immediate' END)sql"}},
      .from_sql = "FROM rel r JOIN pg_constraint co ON co.conrelid = r.oid"});

  // Indexes that implement a primary key, unique or exclusion constraint are that constraint.
  // The definition starts at USING: name, table and uniqueness are compared on their own. The
  // fingerprint reads an index's parts raw (access method, column numbers, operator classes,
  // collations, options, NULLS NOT DISTINCT; expressions and predicate deparsed) when the access
  // method, operator classes and collations are built in: those OIDs are the same in every
  // database, an extension's (citext_ops) are not.
  kinds.push_back({
      .id = "index", .label = "index", .naming = Naming::on_parent,
      .parent_kinds = {"table", "materialized view"},
      .schema_sql = "r.nspname", .parent_sql = "r.relname", .name_sql = "ic.relname",
      .attributes = {
          {"definition", S::named,
           "substr(pg_get_indexdef(i.indexrelid), "
           "strpos(pg_get_indexdef(i.indexrelid), ' USING ') + 1)",
           R"sql(CASE WHEN ic.relam < 16384 AND 16384 > ALL (i.indclass::oid[])
                   AND 16384 > ALL (i.indcollation::oid[])
              THEN format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', ic.relam, i.indkey, i.indclass,
                          i.indoption, i.indcollation, i.indnkeyatts,
                          pg_get_expr(i.indexprs, i.indrelid), pg_get_expr(i.indpred, i.indrelid),
                          ic.reloptions, {nulls_not_distinct})
              ELSE pg_get_indexdef(i.indexrelid) END)sql"},
          {"uniqueness", S::bare, "CASE WHEN i.indisunique THEN 'unique' ELSE 'not unique' END"},
          {"validity", S::bare, "CASE WHEN i.indisvalid THEN 'valid' ELSE 'invalid' END"}},
      .from_sql = R"sql(FROM rel r JOIN pg_index i ON i.indrelid = r.oid
          JOIN pg_class ic ON ic.oid = i.indexrelid
          WHERE NOT EXISTS (SELECT FROM pg_constraint co WHERE co.conindid = i.indexrelid
                            AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x')))sql"});

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
      .from_sql = "FROM rel r JOIN pg_sequence s ON s.seqrelid = r.oid WHERE r.relkind = 'S'"});

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
        .from_sql = from});
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
        .from_sql = from});
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
      .from_sql = "FROM routine p WHERE p.prokind = 'a'"});
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
      .from_sql = "FROM rel r JOIN pg_trigger tg ON tg.tgrelid = r.oid WHERE NOT tg.tgisinternal"});

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
      .from_sql = "FROM rel r JOIN pg_policy pol ON pol.polrelid = r.oid"});
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
      .from_sql = "FROM utype t WHERE t.typtype = 'e'"});
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
      .from_sql = "FROM utype t JOIN pg_type bt ON bt.oid = t.typbasetype WHERE t.typtype = 'd'"});
  kinds.push_back({
      .id = "domain constraint", .label = "constraint", .naming = Naming::on_parent,
      .parent_label = "domain", .parent_kinds = {"domain"},
      .schema_sql = "t.nspname", .parent_sql = "t.typname", .name_sql = "co.conname",
      .attributes = {
          {"kind", S::named, kConstraintKind},
          {"definition", S::named, kConstraintDefinition},
          {"validation", S::bare, kValidation}},
      .from_sql =
          "FROM utype t JOIN pg_constraint co ON co.contypid = t.oid WHERE t.typtype = 'd'"});
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
                  "WHERE t.typtype = 'c' AND tc.relkind = 'c'"});
  kinds.push_back({
      .id = "range type", .label = "range type", .naming = Naming::plain,
      .schema_sql = "t.nspname", .parent_sql = "''", .name_sql = "t.typname",
      .attributes = {{"subtype", S::type, "format_type(rg.rngsubtype, NULL)"}, owner, privileges},
      .from_sql = "FROM utype t JOIN pg_range rg ON rg.rngtypid = t.oid WHERE t.typtype = 'r'"});
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
      .name_sql = R"sql(CASE WHEN d.objsubid > 0 THEN format('column %s of ', (
              SELECT a.attname FROM pg_attribute a
              WHERE a.attrelid = d.objoid AND a.attnum = d.objsubid)) ELSE '' END
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
          WHERE d.objoid >= 16384 AND d.classoid = 'pg_class'::regclass)sql"});
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
                              AND dep.refobjid = x.oid)))sql"});
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

/// The number of attribute columns every facts row has.
size_t attribute_columns() {
  size_t most = 0;
  for (const ObjectKind& kind : object_kinds()) most = std::max(most, kind.attributes.size());
  return most;
}

/// `ARRAY['a', 'b']::text[]`, safely quoted.
std::string text_array(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& value : values) quoted.push_back(quote_literal(value));
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
// catalogs are read by an index range scan. (Schemas are few, and public is 2200.)
std::string common_table_expressions(const SnapshotOptions& options) {
  return fmt::format(R"sql(WITH ext AS MATERIALIZED (
  SELECT classid, objid FROM pg_depend
  WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'),
ns AS MATERIALIZED (
  SELECT n.oid, n.nspname::text AS nspname, n.nspowner, n.nspacl FROM pg_namespace n
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
         c.relacl, c.relispopulated,
         ns.nspname
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.oid >= 16384 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
    AND c.oid NOT IN (SELECT oid FROM excluded)),
routine AS MATERIALIZED (
  SELECT p.oid, p.proname::text AS proname, p.proargtypes, p.prokind, p.proowner, p.proacl,
         ns.nspname
  FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  WHERE p.oid >= 16384
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
    -- made with another object and dropped with it (range type constructors): part of that one
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                                              AND d.objid = p.oid AND d.deptype = 'i')),
utype AS MATERIALIZED (
  SELECT t.oid, t.typname::text AS typname, t.typtype, t.typowner, t.typacl, t.typbasetype,
         t.typtypmod,
         t.typnotnull, t.typdefaultbin, t.typcollation, t.typrelid, ns.nspname
  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  WHERE t.oid >= 16384 AND t.typtype IN ('e', 'd', 'c', 'r')
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)),
)sql",
                     text_array(options.excluded_tables),
                     text_array(table_names(options.excluded_tables)));
}

/// The kind's rows for a snapshot: kind, identity and the attributes as text, NULLs up to
/// `columns`.
std::string select_facts(const ObjectKind& kind, size_t columns) {
  std::string sql =
      fmt::format("SELECT {}::text, ({})::text, ({})::text, ({})::text", quote_literal(kind.id),
                  kind.schema_sql, kind.parent_sql, kind.name_sql);
  for (const AttributeSpec& attribute : kind.attributes)
    sql += fmt::format(", ({})::text", attribute.sql);
  for (size_t i = kind.attributes.size(); i < columns; ++i) sql += ", NULL::text";
  return sql + "\n  " + std::string(kind.from_sql);
}

/// The SQL of an attribute in a portable fingerprint: its cheaper form, of any type, or else the
/// snapshot's text expression, cast (which types its NULL and literal branches).
std::string fingerprint_form(const AttributeSpec& attribute) {
  if (!attribute.fingerprint_sql.empty()) return std::string(attribute.fingerprint_sql);
  return fmt::format("({})::text", attribute.sql);
}

/// `SELECT <leading><the 64-bit hash of ROW(values)> <from>`. PostgreSQL 14 and later hash a row
/// value by value (`native`); before, the row is printed as text first.
std::string select_row_hash(const std::string& values, std::string_view from, bool native,
                            std::string_view leading = "") {
  return native
             ? fmt::format("SELECT {}hash_record_extended(ROW({}), 0)\n  {}", leading, values, from)
             : fmt::format("SELECT {}hashtextextended(ROW({})::text, 0)\n  {}", leading, values,
                           from);
}

/// The kind's rows for a portable fingerprint: one hash per object of its identity, its
/// attributes (their fingerprint forms, of whatever type they are: nothing is printed as text
/// that need not be) and the kind's extra facts.
std::string select_hash(const ObjectKind& kind, bool native) {
  std::string values =
      fmt::format("{}::text, ({})::text, ({})::text, ({})::text", quote_literal(kind.id),
                  kind.schema_sql, kind.parent_sql, kind.name_sql);
  for (const AttributeSpec& attribute : kind.attributes)
    values += fmt::format(", ({})", fingerprint_form(attribute));
  if (!kind.fingerprint_extra_sql.empty())
    values += fmt::format(", ({})", kind.fingerprint_extra_sql);
  return select_row_hash(values, kind.from_sql, native);
}

// The catalog rows a stored fingerprint hashes: the columns that decide what an object is (never
// the ones PostgreSQL updates in place or by itself: relpages, reltuples, relfrozenxid,
// statistics), read as stored. Every column is read from the row under the query's snapshot; the
// few printed as text (node trees, ACLs, to_jsonb of the rare routines and triggers) name other
// objects at most, never the row's own facts.
//
// Rows are summed per relation where they can be: `unit` holds the relations the snapshot covers
// (tables, views, sequences, foreign tables: not indexes or composite types), and a relation's
// sum covers its own row and those of its columns, defaults, constraints, indexes, triggers,
// policies, rules, sequence options and comments. Whatever changes them locks the relation (or
// one of its indexes) until its transaction ends, so a caller that knows which relations a
// transaction locked reads only those again. Everything else (schemas, types, routines, other
// comments, and relation ACLs, which GRANT changes without a lock) is summed apart, always read.
struct StoredRows {
  std::string_view values;
  std::string_view from;
  std::string_view relation = {};  ///< The relation the row belongs to; empty: the rest.
};

constexpr std::string_view kRelationRowValues =
    "c.oid, c.relname, c.relnamespace, c.relkind, c.relpersistence, c.relowner, c.reloptions, "
    "c.relispartition, c.relpartbound::text, c.relrowsecurity, c.relforcerowsecurity, "
    "c.relispopulated, c.relam";

// clang-format off
constexpr StoredRows kStoredRows[] = {
    {kRelationRowValues, "FROM pg_class c WHERE c.oid {in_units}", "c.oid"},
    {kRelationRowValues,  // an index's own row
     "FROM pg_class c JOIN pg_index x ON x.indexrelid = c.oid "
     "WHERE x.indrelid {in_units}", "x.indrelid"},
    {"i.indexrelid, i.indrelid, i.indisunique, i.indisvalid, i.indimmediate, i.indkey, "
     "i.indclass, i.indoption, i.indcollation, i.indnkeyatts, i.indexprs::text, i.indpred::text, "
     "{nulls_not_distinct}",
     "FROM pg_index i WHERE i.indrelid {in_units}", "i.indrelid"},
    {"pt.partrelid, pt.partstrat, pt.partnatts, pt.partdefid, pt.partattrs, pt.partclass, "
     "pt.partcollation, pt.partexprs::text",
     "FROM pg_partitioned_table pt WHERE pt.partrelid {in_units}", "pt.partrelid"},
    {"i.inhrelid, i.inhparent, i.inhseqno",
     "FROM pg_inherits i WHERE i.inhrelid {in_units}", "i.inhrelid"},
    {"i.inhrelid, i.inhparent, i.inhseqno",  // a partitioned index's partitions
     "FROM pg_inherits i JOIN pg_index x ON x.indexrelid = i.inhrelid "
     "WHERE x.indrelid {in_units}", "x.indrelid"},
    {"a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, a.atthasdef, "
     "a.attidentity, a.attgenerated, a.attcollation",
     "FROM pg_attribute a WHERE a.attrelid {in_tables} "
     "AND a.attnum > 0 AND NOT a.attisdropped", "a.attrelid"},
    {"d.adrelid, d.adnum, d.adbin::text",
     "FROM pg_attrdef d WHERE d.adrelid {in_units}", "d.adrelid"},
    {"co.conname, co.connamespace, co.contype, co.condeferrable, co.condeferred, "
     "co.convalidated, co.conrelid, co.contypid, co.conindid, co.confrelid, co.confupdtype, "
     "co.confdeltype, co.confmatchtype, co.conkey, co.confkey, co.conexclop, co.conbin::text, "
     "co.connoinherit, {fk_set_columns}",
     "FROM pg_constraint co WHERE co.conrelid {in_units}", "co.conrelid"},
    {"s.seqrelid, s.seqtypid, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcycle",
     "FROM pg_sequence s WHERE s.seqrelid {in_units}", "s.seqrelid"},
    {"d.objid, d.refobjid, d.refobjsubid, d.deptype",  // a sequence's owner
     "FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0 "
     "AND d.objid {in_sequences} "
     "AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')",
     "d.objid"},
    {"r.ev_class, r.rulename, r.ev_type, r.ev_enabled, r.is_instead, r.ev_qual::text, "
     "r.ev_action::text",
     "FROM pg_rewrite r WHERE r.ev_class {in_units}", "r.ev_class"},
    {"(to_jsonb(t) - 'oid')::text",
     "FROM pg_trigger t WHERE t.tgrelid {in_units} AND NOT t.tgisinternal",
     "t.tgrelid"},
    {"p.polname, p.polrelid, p.polcmd, p.polpermissive, p.polroles, p.polqual::text, "
     "p.polwithcheck::text",
     "FROM pg_policy p WHERE p.polrelid {in_units}", "p.polrelid"},
    {"d.objoid, d.classoid, d.objsubid, d.description",  // on the relation and its columns
     "FROM pg_description d WHERE d.classoid = 'pg_class'::regclass "
     "AND d.objoid {in_units}", "d.objoid"},
    // The rest.
    {"n.oid, n.nspname, n.nspowner, n.nspacl::text",
     "FROM pg_namespace n WHERE n.oid IN (SELECT oid FROM ns)"},
    {"e.extname, e.extversion, e.extnamespace", "FROM pg_extension e"},
    {"u.oid, u.relacl::text", "FROM every_unit u WHERE u.relacl IS NOT NULL"},
    {kRelationRowValues, "FROM pg_class c WHERE c.oid IN (SELECT oid FROM comp)"},
    {"a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, a.atthasdef, "
     "a.attidentity, a.attgenerated, a.attcollation",
     "FROM pg_attribute a WHERE a.attrelid IN (SELECT oid FROM comp) AND a.attnum > 0 "
     "AND NOT a.attisdropped"},
    {"co.conname, co.connamespace, co.contype, co.condeferrable, co.condeferred, "
     "co.convalidated, co.conrelid, co.contypid, co.conbin::text",
     "FROM pg_constraint co "
     "WHERE co.contypid = ANY (ARRAY(SELECT oid FROM utype WHERE typtype = 'd'))"},
    {"(to_jsonb(p) - 'oid')::text", "FROM pg_proc p WHERE p.oid IN (SELECT oid FROM routine)"},
    {"(to_jsonb(a))::text",
     "FROM pg_aggregate a WHERE a.aggfnoid::oid IN (SELECT oid FROM routine)"},
    {"t.oid, t.typname, t.typnamespace, t.typtype, t.typowner, t.typacl::text, t.typbasetype, "
     "t.typtypmod, t.typnotnull, t.typdefaultbin::text, t.typcollation, t.typrelid",
     "FROM pg_type t WHERE t.oid IN (SELECT oid FROM utype WHERE typtype IN ('e', 'd', 'r') "
     "OR typrelid IN (SELECT oid FROM comp))"},
    {"e.enumtypid, e.enumsortorder, e.enumlabel",
     "FROM pg_enum e WHERE e.enumtypid IN (SELECT oid FROM utype)"},
    {"r.rngtypid, r.rngsubtype, r.rngcollation, r.rngsubopc, r.rngcanonical::oid, "
     "r.rngsubdiff::oid",
     "FROM pg_range r WHERE r.rngtypid IN (SELECT oid FROM utype)"},
    {"d.objoid, d.classoid, d.objsubid, d.description",  // on anything but a relation
     "FROM pg_description d "
     "WHERE (d.objoid >= 16384 OR d.classoid = 'pg_namespace'::regclass "
     "AND d.objoid IN (SELECT oid FROM ns)) "
     "AND d.classoid <> 'pg_extension'::regclass "
     "AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = d.classoid AND ext.objid = d.objoid) "
     "AND NOT (d.classoid = 'pg_class'::regclass AND d.objoid IN (SELECT oid FROM every_unit))"},
};
// clang-format on

/// `sql` with the catalog columns that some supported versions lack named for `server_version`.
std::string for_server_version(const std::string& sql, int server_version) {
  bool v15 = server_version >= 150000;  // NULLS NOT DISTINCT, ON DELETE SET NULL (columns)
  return replace_all(
      replace_all(sql, "{nulls_not_distinct}", v15 ? "i.indnullsnotdistinct" : "false"),
      "{fk_set_columns}", v15 ? "co.confdelsetcols" : "NULL::int2[]");
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
  std::vector<std::string> names = {"kind", "schema", "parent", "name"};
  for (size_t i = 1; i <= columns; ++i) names.push_back(fmt::format("a{}", i));
  std::vector<std::string> selects;
  for (const ObjectKind& kind : object_kinds()) selects.push_back(select_facts(kind, columns));
  return fmt::format("{}facts ({}) AS (\n{}\n)\nSELECT * FROM facts",
                     common_table_expressions(options), fmt::join(names, ", "),
                     fmt::join(selects, "\nUNION ALL\n"));
}

// A sum of 64-bit hashes does not depend on row order, so nothing needs sorting.
std::string fingerprint_query(const SnapshotOptions& options, int server_version) {
  std::vector<std::string> selects;
  for (const ObjectKind& kind : object_kinds())
    selects.push_back(select_hash(kind, server_version >= 140000));
  return for_server_version(
      fmt::format("{}hashes (h) AS (\n{}\n)\nSELECT sum(h)::text, count(*) FROM hashes",
                  common_table_expressions(options), fmt::join(selects, "\nUNION ALL\n")),
      server_version);
}

std::string stored_fingerprint_query(const SnapshotOptions& options, int server_version,
                                     bool touched_only) {
  std::vector<std::string> selects;
  for (size_t i = 0; i < std::size(kStoredRows); ++i) {
    const StoredRows& rows = kStoredRows[i];
    // The set's number first: rows of two catalogs never hash alike by chance of their columns.
    std::string relation =
        rows.relation.empty() ? "NULL::int8, " : fmt::format("{}::int8, ", rows.relation);
    selects.push_back(select_row_hash(fmt::format("{}, {}", i, rows.values), rows.from,
                                      server_version >= 140000, relation));
  }
  // Whole, each catalog is read once and joined to the relations by hashing; touched only, the
  // few relations are looked up by index in each catalog, whatever the planner expects of the
  // catalog statistics.
  auto in = [&](std::string_view which) {
    return touched_only ? fmt::format("= ANY (ARRAY(SELECT oid FROM unit{}))", which)
                        : fmt::format("IN (SELECT oid FROM unit{})", which);
  };

  std::string hashes = replace_all(
      replace_all(
          replace_all(fmt::format("{}", fmt::join(selects, "\nUNION ALL\n")), "{in_units}", in("")),
          "{in_tables}", in(" WHERE relkind <> 'S'")),
      "{in_sequences}", in(" WHERE relkind = 'S'"));
  // A relation is read again when it was locked, or one of its indexes was (ALTER INDEX locks
  // the index alone).
  std::string_view touched =
      touched_only ? "\n  WHERE oid = ANY ($1::oid[]) OR oid IN "
                     "(SELECT x.indrelid FROM pg_index x WHERE x.indexrelid = ANY ($1::oid[]))"
                   : "";
  // comp scans pg_class for its rare relkind 'c' rows: starting from utype, which holds every
  // table's row type too, cost an index lookup per table.
  return for_server_version(fmt::format(R"sql({}every_unit AS MATERIALIZED (
  SELECT c.oid, c.relkind, c.relacl FROM pg_class c
  WHERE c.oid >= 16384 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND c.relnamespace IN (SELECT oid FROM ns)
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
    AND c.oid NOT IN (SELECT oid FROM excluded)),
unit AS MATERIALIZED (
  SELECT oid, relkind FROM every_unit{}),
comp AS MATERIALIZED (
  SELECT c.oid FROM pg_class c
  WHERE c.relkind = 'c' AND c.reltype IN (SELECT oid FROM utype WHERE typtype = 'c')),
hashes (relation, h) AS (
{}
)
SELECT relation, sum(h)::text, count(*) FROM hashes GROUP BY relation
UNION ALL
SELECT -1, sum(oid::int8)::text, count(*) FROM every_unit)sql",
                                        common_table_expressions(options), touched, hashes),
                            server_version);
}

namespace {

/// Opens the read-only transaction catalog queries run in, in one round trip; `isolation` is
/// "READ COMMITTED" or "REPEATABLE READ", `then` statements to run at once in it.
Status begin_catalog_read(Connection& connection, std::string_view isolation,
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

// A scratch database plans with the catalog statistics it was created with (template0's, a few
// rows per catalog) while migrations fill it with thousands, or with statistics autovacuum took
// at any time meanwhile: plans follow them, not the query. Reading whole catalogs, nested loops
// of index lookups cost the stored fingerprint twice what hash joins do on 200 tables (and small
// schemas nothing measurable); reading a few relations, a scan of a whole catalog costs ten
// times what looking them up does.
constexpr std::string_view kPlanForWholeCatalogs =
    "SET LOCAL enable_seqscan = on; SET LOCAL enable_nestloop = off";
constexpr std::string_view kPlanForFewRows =
    "SET LOCAL enable_seqscan = off; SET LOCAL plan_cache_mode = force_generic_plan";

}  // namespace

Result<QueryResult> query_catalog(Connection& connection, const std::string& sql) {
  if (Status begun = begin_catalog_read(connection, "READ COMMITTED"); !begun) return begun.error();
  Result<QueryResult> rows = connection.exec_cached(sql);
  Status ended = connection.run(rows ? "COMMIT" : "ROLLBACK");
  if (rows && !ended) return ended.error();
  return rows;
}

Status pin_catalog(Connection& connection, bool whole_catalogs) {
  // The snapshot is taken by the transaction's first query, not by BEGIN.
  return begin_catalog_read(
      connection, "REPEATABLE READ",
      fmt::format("; {}; SELECT 1", whole_catalogs ? kPlanForWholeCatalogs : kPlanForFewRows));
}

Status end_catalog_read(Connection& connection) {
  return connection.run("COMMIT");
}

Status plan_for_whole_catalogs(Connection& connection) {
  return connection.run(std::string(kPlanForWholeCatalogs));
}

}  // namespace ag::pg
