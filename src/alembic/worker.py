"""alembic-gate's worker: runs the project's own Alembic and env.py on a scratch database.

It executes and reports; every decision is made by the alembic-gate binary, which embeds this
file and starts it as `python -c <this file>`.

Protocol: one JSON object per line. Requests arrive on the process's original stdin, responses
leave on its original stdout; both are moved to private descriptors at start, stdin is pointed at
/dev/null and stdout at stderr, so whatever the project prints lands in the log (stderr), never
in the protocol. Every response is {"ok": true, ...} or {"ok": false, "error": {...}}.

Requests:
  {"op": "start", "project": DIR, "config": INI, "url": URL, "url_env": [NAMES],
   "pass_connection": BOOL}
      -> {"python", "alembic", "sqlalchemy"}      loads alembic.ini and the script directory
  {"op": "revisions"}
      -> {"revisions": [{"id", "down", "depends_on", "labels", "path", "doc"}...]}
         in upgrade order (base first, dependencies respected)
  {"op": "open"}       runs env.py online; the session stays open for the requests below
      -> {"heads": [...]}
  inside a session:
    {"op": "step", "revision": ID, "direction": "up"|"down", "stamp": BOOL}
        -> {"seconds"}                            one revision, in Alembic's own RevisionStep
    {"op": "roundtrip", "revision": ID, "stamp": BOOL, "trio": BOOL, "read_before": BOOL,
     "define": [SQL...]}
        -> {"seconds", "up_seconds", "down_seconds", "down_error", "reup_error",
            "before", "after_down", "after", "state"}
                                                  the revision's upgrade step; with "trio", its
                                                  downgrade and upgrade again in a savepoint
                                                  rolled back (see RoundTrip). "define": SQL run
                                                  first (the binary's reading functions, once per
                                                  session); "before" / "after_down" / "after":
                                                  {"whole", "rows"} as those functions read the
                                                  catalog; "state": "exact", "reupgraded" or
                                                  "unknown" (then the session has ended)
    {"op": "current"}  -> {"heads": [...]}        the version table's revisions now
    {"op": "query", "sql": SQL}
        -> {"columns": [...], "rows": [[text or null...]...]}    on the migration connection
    {"op": "close"}    -> {}                       env.py finishes (and commits)
  {"op": "exit"}      -> {}                        then the process exits (inside a session:
                                                   after env.py has finished)
  {"op": "offline", "revisions": [ID...]}          runs env.py offline (as_sql) once, upgrading
                                                   through these revisions in this order
      -> {"statements": [{"sql", "revision", "origin", "line", "refused_identifiers"}...],
          "failures": [{"revision", "error": {...}}...]}
         every text Alembic printed, in order; "revision": the step running then (null before
         the first); "origin": "revision" (emitted from that revision's file, at "line"), "env"
         (from env.py, at "line") or "alembic" (its own BEGIN/COMMIT and version table). An
         operation queued on a `batch_op` is placed at its own line, not at the `with` block's
         end where Alembic runs it. "refused_identifiers": names SQLAlchemy refused to render
         (longer than the dialect allows: IdentifierError in a real run), rendered anyway so
         the rest of the revision is read; on a revision's own texts only (the names of a text
         whose rendering then raised are dropped). A revision that raises is listed in
         "failures" and the run goes on with the next one.
  {"op": "upgrade", "stamp": [IDS]}  -> {}          every database env.py migrates, to the heads,
                                                   as `alembic upgrade heads`; IDS are stamped
  {"op": "drift", "types": BOOL}
      -> {"runs", "diffs", "excluded", "models", "types", "types_error", "env_py", "metadata_line"}
         Alembic's autogenerate comparison, as `alembic check` makes it (see Worker.drift);
         "excluded": what env.py's include_object / include_name left out; with "types" (the
         strict comparison needs them), "types": the enum types (and domains)
         metadata.create_all() would create itself, else null; null too when SQLAlchemy could
         not tell (a DDL event listener of the models failing on a mock connection), and
         "types_error" says why
  {"op": "create_all"} -> {"tables"}               metadata.create_all() of every target_metadata
A failure inside a session (a step raising) ends it: the failing request gets the error, and
the next request must be "open" again.
"""

import ast
import contextlib
import functools
import json
import os
import sys
import time
import traceback


class Channel:
    """The private protocol streams."""

    def __init__(self):
        self.incoming = os.fdopen(os.dup(0), "r", encoding="utf-8")
        self.outgoing = os.fdopen(os.dup(1), "w", encoding="utf-8")
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(2, 1)

    def receive(self):
        line = self.incoming.readline()
        if not line:
            raise SystemExit(0)  # the binary went away
        return json.loads(line)

    def send(self, payload):
        self.outgoing.write(json.dumps(payload, default=str) + "\n")
        self.outgoing.flush()

    def ok(self, **fields):
        self.send(dict(ok=True, **fields))

    def fail(self, error):
        self.send({"ok": False, "error": error})


class SessionFailed(Exception):
    """A request inside a session failed; its error has been sent."""


def sqlstate_of(exc):
    for candidate in (exc, getattr(exc, "orig", None), getattr(exc, "__cause__", None)):
        if candidate is None:
            continue
        for attribute in ("pgcode", "sqlstate"):
            code = getattr(candidate, attribute, None)
            if isinstance(code, str) and code:
                return code
    return None


def describe_error(exc, version_dirs, env_py, source_dirs=()):
    """The error as the binary reports it: the innermost frame inside a migration file, else
    inside env.py; a SyntaxError's own location. With source_dirs, the innermost frame in the
    project's own code comes first, so that a models module failing to import is named rather
    than the env.py line importing it."""
    frames = traceback.extract_tb(exc.__traceback__)
    location = None
    own_code = list(source_dirs)
    for wanted in (own_code, version_dirs, [env_py] if env_py else []):
        for frame in reversed(frames):
            path = os.path.abspath(frame.filename)
            if wanted is own_code and (frame.filename.startswith("<") or is_library(path)):
                continue
            if any(path == d or path.startswith(d.rstrip(os.sep) + os.sep) for d in wanted):
                location = {"file": path, "line": frame.lineno}
                break
        if location:
            break
    if isinstance(exc, SyntaxError) and exc.filename and os.path.exists(exc.filename):
        location = {"file": os.path.abspath(exc.filename), "line": exc.lineno or 0}
    message = str(exc).strip() or type(exc).__name__
    return {
        "type": type(exc).__name__,
        "message": message,
        "sqlstate": sqlstate_of(exc),
        "file": location["file"] if location else None,
        "line": location["line"] if location else None,
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    }


def gate_environment(config, script, fn):
    """The project's environment, with one change: every revision runs in a transaction of its
    own, as `alembic upgrade` does with transaction_per_migration, so that what a step locked
    (what the roundtrip reads again) is that step's alone. An env.py that opens its own
    transaction around the migrations keeps it: the steps then run in savepoints of it."""
    from alembic.runtime.environment import EnvironmentContext

    environment = EnvironmentContext(config, script, fn=fn)
    configure = environment.configure  # env.py reaches it through the alembic.context proxy

    def configure_each_revision_apart(*args, **kw):
        kw["transaction_per_migration"] = True
        return configure(*args, **kw)

    environment.configure = configure_each_revision_apart
    return environment


def stamp_instead_of_running(**kw):
    """A skipped revision's migration function: Alembic logs "Running stamp_instead_of_running"
    and updates the version table; nothing else happens."""


def is_library(path):
    """Whether `path` belongs to Python itself or to an installed package, not to the project."""
    import sysconfig

    parts = path.split(os.sep)
    if "site-packages" in parts or "dist-packages" in parts:
        return True
    roots = {os.path.abspath(p) for k, p in sysconfig.get_paths().items() if k in ("stdlib", "platstdlib")}
    return any(path.startswith(root + os.sep) for root in roots)


def as_list(metadata):
    """target_metadata is one MetaData or a sequence of them."""
    if metadata is None:
        return []
    return list(metadata) if isinstance(metadata, (list, tuple)) else [metadata]


def qualified(schema, name):
    return f"{schema}.{name}" if schema else name


def assignment_line(path, name):
    """The line of the first assignment to `name` in the file (env.py's target_metadata), else 0."""
    try:
        with open(path, "rb") as source:
            tree = ast.parse(source.read(), path)
    except (OSError, SyntaxError, ValueError):
        return 0
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return node.lineno
    return 0


def callee_name(call):
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def first_string(call):
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def call_line(node, callees, name):
    """The line of a call like Column("name", ...) inside `node`, else 0."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and callee_name(inner) in callees and first_string(inner) == name:
            return inner.lineno
    return 0


def attribute_line(class_node, key):
    """The line in a class body that defines the attribute `key` (an assignment, an annotated
    assignment, or a declared_attr function), else 0."""
    for statement in class_node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name == key:
            return statement.lineno
        targets = (statement.targets if isinstance(statement, ast.Assign)
                   else [statement.target] if isinstance(statement, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == key for t in targets):
            return statement.lineno
    return 0


def string_line(node, text):
    """The line of the string literal `text` inside `node` (a constraint's or index's name)."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Constant) and inner.value == text:
            return inner.lineno
    return 0


class ModelSources:
    """Where the models define their tables, columns, indexes and constraints: the classes
    SQLAlchemy mapped to each table (a column's attribute line in the class or a mixin) and the
    Table(...) calls in the project's modules, read with ast. Lines are facts; nothing is judged."""

    def __init__(self, skip_dirs):
        self.skip_dirs = [d.rstrip(os.sep) + os.sep for d in skip_dirs]
        self.trees = {}
        self.files = None

    def describe(self, metadatas):
        mappers = self.mappers_by_table()
        described = []
        for metadata in metadatas:
            for table in metadata.tables.values():
                described.append(self.table_source(table, mappers.get(table, [])))
        return described

    @staticmethod
    def mappers_by_table():
        try:
            from sqlalchemy.orm import mapperlib

            registries = mapperlib._all_registries()  # SQLAlchemy 1.4 and 2.0
        except (ImportError, AttributeError):
            return {}
        by_table = {}
        for registry in registries:
            for mapper in registry.mappers:
                by_table.setdefault(mapper.local_table, []).append(mapper)
        return by_table

    def table_source(self, table, mappers):
        places = [found + (mapper,) for mapper in mappers for found in [self.class_node(mapper.class_)] if found]
        if not places:
            places = [found + (None,) for found in [self.table_call(table.name)] if found]
        entry = {"schema": table.schema, "table": table.name, "file": None, "line": 0,
                 "columns": {}, "objects": {}}
        if not places:
            return entry
        entry["file"], entry["line"] = places[0][0], places[0][1].lineno
        for column in table.columns:
            found = self.column_place(column, places)
            if found:
                entry["columns"][column.name] = found
        for item in list(table.indexes) + list(table.constraints):
            name = item.name if isinstance(item.name, str) else None
            for path, node, _ in places if name else []:
                line = string_line(node, name)
                if line:
                    entry["objects"][name] = [path, line]
                    break
        return entry

    def column_place(self, column, places):
        for path, node, mapper in places:
            if mapper is not None:
                key = self.attribute_key(mapper, column)
                for cls in mapper.class_.__mro__:
                    found = self.class_node(cls)
                    line = attribute_line(found[1], key) if found else 0
                    if line:
                        return [found[0], line]
            line = call_line(node, ("Column", "mapped_column"), column.name)
            if line:
                return [path, line]
        return None

    @staticmethod
    def attribute_key(mapper, column):
        try:
            return mapper.get_property_by_column(column).key
        except Exception:  # not mapped to an attribute (excluded, or a plain Table column)
            return column.key

    def tree(self, path):
        if path not in self.trees:
            try:
                with open(path, "rb") as source:
                    self.trees[path] = ast.parse(source.read(), path)
            except (OSError, SyntaxError, ValueError):
                self.trees[path] = None
        return self.trees[path]

    def class_node(self, cls):
        import inspect

        try:
            path = inspect.getsourcefile(cls)
        except TypeError:  # a built-in class
            return None
        node = self.tree(os.path.abspath(path)) if path else None
        for name in cls.__qualname__.split("."):
            if node is None or name == "<locals>":
                return None
            found = [n for n in ast.walk(node) if isinstance(n, ast.ClassDef) and n.name == name]
            node = found[-1] if found else None  # a name defined twice: the last one counts
        return (os.path.abspath(path), node) if node is not None else None

    def table_call(self, name):
        for path in self.project_files():
            tree = self.tree(path)
            for node in ast.walk(tree) if tree else []:
                if isinstance(node, ast.Call) and callee_name(node) == "Table" and first_string(node) == name:
                    return path, node
        return None

    def project_files(self):
        """The project's own modules that are loaded (not Python's, not installed packages', not
        the migrations)."""
        if self.files is None:
            self.files = []
            for module in list(sys.modules.values()):
                path = getattr(module, "__file__", None)
                if not path or not path.endswith(".py"):
                    continue
                path = os.path.abspath(path)
                if not is_library(path) and not any(path.startswith(d) for d in self.skip_dirs):
                    self.files.append(path)
        return self.files


def render_type(type_, dialect):
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # a type the dialect cannot render
        return repr(type_)


def render_default(default, dialect):
    """A server default as SQL: the database's reflected text, or the model's value."""
    if default is None:
        return None
    arg = getattr(default, "arg", default)
    if isinstance(arg, str):
        return "'" + arg.replace("'", "''") + "'"  # a plain string default is a literal
    if isinstance(getattr(arg, "text", None), str):
        return arg.text
    try:
        return str(arg.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    except Exception:  # an expression the dialect cannot render
        return str(arg)


CONSTRAINT_KINDS = {"UniqueConstraint": "unique", "CheckConstraint": "check",
                    "PrimaryKeyConstraint": "primary key", "ForeignKeyConstraint": "foreign key"}


def describe_difference(diff, dialect):
    """One difference in Alembic's compare_metadata() format, as facts for the binary."""
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        return {"op": kind, "schema": diff[1].schema, "table": diff[1].name}
    if kind in ("add_column", "remove_column"):
        _, schema, table, column = diff
        side = "to" if kind == "add_column" else "from"
        return {"op": kind, "schema": schema, "table": table, "name": column.name,
                side: render_type(column.type, dialect)}
    if kind in ("modify_type", "modify_nullable", "modify_default", "modify_comment"):
        _, schema, table, column, _, existing, wanted = diff
        render = {"modify_type": lambda v: render_type(v, dialect),
                  "modify_default": lambda v: render_default(v, dialect)}.get(kind, lambda v: v)
        return {"op": kind, "schema": schema, "table": table, "name": column,
                "from": render(existing), "to": render(wanted)}
    if kind in ("add_index", "remove_index"):
        index = diff[1]
        return {"op": kind, "schema": index.table.schema, "table": index.table.name, "name": index.name,
                "columns": [getattr(e, "name", None) or str(e) for e in index.expressions],
                "kind": "unique" if index.unique else ""}
    if kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        constraint = diff[1]
        entry = {"op": kind, "schema": constraint.table.schema, "table": constraint.table.name,
                 "name": constraint.name if isinstance(constraint.name, str) else None,
                 "columns": [c.name for c in constraint.columns],
                 "kind": CONSTRAINT_KINDS.get(type(constraint).__name__, type(constraint).__name__)}
        if kind.endswith("_fk"):
            targets = [e.target_fullname.rsplit(".", 1) for e in constraint.elements]
            entry["columns"] = list(constraint.column_keys)
            entry["referred_table"] = targets[0][0] if targets else ""
            entry["referred_columns"] = [t[-1] for t in targets]
        return entry
    if kind in ("add_table_comment", "remove_table_comment"):
        return {"op": kind, "schema": diff[1].schema, "table": diff[1].name,
                "from": diff[2] if len(diff) > 2 else diff[1].comment,
                "to": diff[1].comment if kind == "add_table_comment" else None}
    return {"op": kind, "text": " ".join(str(part) for part in diff)}


def flatten(diffs):
    """as_diffs() gives a list per altered column: one difference per item here."""
    for diff in diffs:
        if isinstance(diff, list):
            yield from diff
        else:
            yield diff


class AlembicIncompatible(RuntimeError):
    """This Alembic lacks a part of its own that alembic-gate uses the way Alembic's commands do."""


def alembic_internal(owner, name, command):
    """owner.name: a part of Alembic that is not its public API, used as Alembic's own `command`
    uses it (unchanged from Alembic 1.8 to 1.13); a clear error if a release changed it."""
    value = getattr(owner, name, None)
    if value is None:
        raise incompatible(f"{getattr(owner, '__name__', type(owner).__name__)}.{name}", command)
    return value


def incompatible(what, command):
    import alembic

    return AlembicIncompatible(
        f"Alembic {alembic.__version__} has no {what}, which alembic-gate uses as `alembic "
        f"{command}` does (Alembic 1.8 to 1.13 have it); run alembic-gate with one of those "
        "Alembic versions, and report this to alembic-gate")


def per_migration_transaction(context):
    """The transaction Alembic's own run_migrations() opens around each revision
    (begin_transaction(_per_migration=True): not public API, unchanged from Alembic 1.8 to 1.13)."""
    try:
        return context.begin_transaction(_per_migration=True)
    except TypeError:
        raise incompatible("MigrationContext.begin_transaction(_per_migration=...)", "upgrade") from None


def revision_step(revision_map, revision, is_upgrade, command):
    """The step Alembic's own loop runs for one revision: RevisionStep(revision_map, revision,
    is_upgrade) (not public API, unchanged from Alembic 1.8 to 1.13)."""
    from alembic.runtime import migration

    step_class = alembic_internal(migration, "RevisionStep", command)
    try:
        return step_class(revision_map, revision, is_upgrade)
    except TypeError:
        raise incompatible("RevisionStep(revision_map, revision, is_upgrade)", command) from None


def inner_types(type_):
    """A column's type and the types inside it: an ARRAY's items, a TypeDecorator's impl."""
    import sqlalchemy

    yield type_
    for inner in (getattr(type_, "item_type", None), getattr(type_, "impl", None)):
        if isinstance(inner, sqlalchemy.types.TypeEngine):
            yield from inner_types(inner)


def types_created(metadata):
    """The named types (enum types; domains in SQLAlchemy 2.0) that metadata.create_all() creates
    itself on PostgreSQL, as SQLAlchemy decides it (create_type=False, native_enum=False, ARRAY
    items, TypeDecorators): the DDL of a create_all() on a mock engine, which runs nothing. Each
    with the first column that uses it, where the models declare it. The models' DDL event
    listeners run too, on a connection that cannot execute (execute() returns None, no
    exec_driver_sql, server_version_info None): one may raise, and so does this."""
    import sqlalchemy

    created = []

    def collect(ddl, *args, **kw):
        element = getattr(ddl, "element", None)
        if isinstance(element, sqlalchemy.types.TypeEngine):
            created.append({"schema": element.schema, "name": element.name,
                            "table_schema": None, "table": None, "column": None})

    metadata.create_all(sqlalchemy.create_mock_engine(sqlalchemy.engine.make_url("postgresql://"), collect),
                        checkfirst=False)
    for entry in created:
        users = [(table, column) for table in metadata.tables.values() for column in table.columns
                 if any(getattr(t, "name", None) == entry["name"] for t in inner_types(column.type))]
        if users:
            table, column = users[0]
            entry.update(table_schema=table.schema, table=table.name, column=column.name)
    return created


def record_exclusions(opts, excluded, default_schema):
    """Wraps env.py's include_object and include_name so that what they leave out is known (the
    strict comparison leaves it out too): {"type", "schema", "table", "name"}, the type as Alembic
    names it ("schema", "table", "column", "index", "unique_constraint", ...), "table" the table's
    own name for a table (None for a schema), the default schema named rather than None."""
    include_object, include_name = opts.get("include_object"), opts.get("include_name")

    def record(type_, schema, table, name):
        entry = {"type": type_, "schema": schema or default_schema,
                 "table": name if type_ == "table" else table, "name": name}
        if entry not in excluded:
            excluded.append(entry)

    if include_object:
        def recorded_object(obj, name, type_, reflected, compare_to):
            keep = include_object(obj, name, type_, reflected, compare_to)
            if not keep:
                table = obj if type_ == "table" else getattr(obj, "table", None)
                record(type_, getattr(table, "schema", None), getattr(table, "name", None), name)
            return keep

        opts["include_object"] = recorded_object
    if include_name:
        def recorded_name(name, type_, parent_names):
            keep = include_name(name, type_, parent_names)
            if not keep:
                schema = name if type_ == "schema" else parent_names.get("schema_name")
                record(type_, schema, parent_names.get("table_name"), name)
            return keep

        opts["include_name"] = recorded_name


def text_rows(result):
    """A query's rows as the protocol carries them: text or null per cell."""
    return [[None if v is None else str(v) for v in row] for row in result]


class RoundTrip:
    """One revision's upgrade, then its downgrade and the upgrade again, as separate `alembic`
    commands would run them, yet leaving the database exactly as the upgrade made it. The
    upgrade is committed (through Alembic's own autocommit_block(), which begins the next
    transaction: PostgreSQL lets a transaction use what an earlier one committed, an enum value
    say, that it would refuse to its own); the downgrade and the second upgrade run in a
    savepoint that is rolled back. The catalog is read (by the binary's functions, defined in
    pg_temp) after the upgrade and after the downgrade. Each run loads the revision's module
    anew and clears Alembic's memo. Where the upgrade cannot be committed apart (env.py's own
    transaction around the migrations, or none), all three run in the step's transaction. A
    migration that commits midway itself ends the savepoint: what the downgrade and the second
    upgrade left then stays, and the report says so."""

    def __init__(self, worker, context, request):
        self.worker = worker
        self.context = context
        self.request = request
        self.revision = worker.script.revision_map.get_revision(request["revision"])
        self.report = {}

    def around(self, upgrade):
        @functools.wraps(upgrade)  # Alembic logs the function's name ("Running upgrade ...")
        def run(**kw):
            self.run(upgrade, kw)

        return run

    def sql(self, text):
        return self.context.connection.exec_driver_sql(text)

    def read(self, whole, start, also=()):
        """A catalog reading: rows of text cells, fetched from the driver's own cursor and handed
        on as they are (a whole reading has thousands)."""
        function = "ag_read_whole" if whole else "ag_read_touched"
        oids = ",".join(str(int(oid)) for oid in also)
        cursor = self.context.connection.connection.cursor()
        try:
            cursor.execute(f"SELECT * FROM pg_temp.{function}({int(start)}, '{{{oids}}}'::oid[])")
            # tuple(): some drivers' rows (asyncpg's Record) are no sequence JSON knows.
            return {"whole": whole, "rows": [tuple(row) for row in cursor.fetchall()]}
        finally:
            cursor.close()

    def run(self, upgrade, kw):
        session = self.worker.session
        for definition in self.request.get("define", []):
            self.sql(definition)
        in_transaction = self.context.connection.in_transaction()
        external = alembic_internal(self.context, "_in_external_transaction", "upgrade")
        if in_transaction:
            self.sql("SAVEPOINT ag_step")  # its writes get xids from `start` on
        start = self.sql("SELECT mod(txid_snapshot_xmax(txid_current_snapshot()), 4294967296)").scalar()
        if self.request.get("read_before"):
            self.report["before"] = self.read(True, start)
        session["committed_midway"] = False
        self.report["up_seconds"] = self.timed(upgrade, kw)
        whole = not in_transaction or session["committed_midway"]
        after = self.report["after"] = self.read(whole, start)
        if not self.request.get("trio"):
            return
        if not whole and not external:
            with session["autocommit_block"]():  # commits the upgrade, begins the next one
                pass
        touched = [row[0] for row in after["rows"] if row[1] == "#touched"]
        self.down_and_up(kw, start, whole, touched)

    def down_and_up(self, kw, start, whole, touched):
        """The downgrade and the second upgrade, rolled back when the savepoint survives them."""
        session = self.worker.session
        if not whole:
            self.sql("SAVEPOINT ag_trio")
        module = self.worker.load_again(self.revision.path)
        failed = self.attempt("down", module.downgrade, kw)
        if not failed:
            self.report["after_down"] = self.read(whole or session["committed_midway"], start, touched)
            failed = self.attempt("reup", self.worker.load_again(self.revision.path).upgrade, kw)
        if not whole and not session["committed_midway"]:
            self.sql("ROLLBACK TO SAVEPOINT ag_trio")
            self.report["state"] = "exact"
            return
        self.report["state"] = "unknown" if failed else "reupgraded"
        if failed:  # the transaction it failed in cannot go on: the session ends here
            session["answered"] = True
            self.worker.channel.ok(seconds=self.report["up_seconds"], **self.report)
            raise SessionFailed()
        self.report["after"] = self.read(True, start)  # what they left is what stays

    def attempt(self, which, fn, kw):
        """Runs a migration function; a failure is reported, not raised. Returns whether it
        failed."""
        try:
            self.report[f"{which}_seconds"] = self.timed(fn, kw)
            return False
        except Exception as exc:
            self.report[f"{which}_error"] = describe_error(exc, self.worker.version_dirs,
                                                           self.worker.env_py)
            return True

    def timed(self, fn, kw):
        alembic_internal(self.context.impl, "memo", "upgrade").clear()
        started = time.monotonic()
        fn(**kw)
        return time.monotonic() - started


def engine_like(connection):
    """`connection`, able to stand for the Engine some env.py files expect in
    config.attributes["connection"] (pytest-alembic's recipe: `with connectable.connect() as
    connection:`): connect() hands out this same connection, left open by the `with` block. Used
    as a Connection (Alembic's cookbook recipe), it is one."""
    class EngineLike(type(connection)):
        def connect(self, *args, **kw):
            return contextlib.nullcontext(self)

    connection.__class__ = EngineLike
    return connection


def autocommit_noticed(context, session):
    """Wraps the context's autocommit_block() so that a migration committing midway is known: the
    savepoints of a RoundTrip end there. The original stays in the session for RoundTrip."""
    block = session["autocommit_block"] = alembic_internal(context, "autocommit_block", "upgrade")

    @contextlib.contextmanager
    def noticed():
        session["committed_midway"] = True
        with block():
            yield

    context.autocommit_block = noticed


class Worker:
    def __init__(self, channel):
        self.channel = channel
        self.config = None
        self.script = None
        self.url = None
        self.pass_connection = False
        self.version_dirs = []
        self.env_py = None
        self.project_dir = None
        self.used_modules = set()
        self.compiled = {}
        self.exit_requested = False

    # -- requests outside a session ---------------------------------------------------------

    def start(self, request):
        import alembic
        import sqlalchemy
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        os.chdir(request["project"])
        self.project_dir = os.path.abspath(request["project"])
        if request["project"] not in sys.path:
            sys.path.insert(0, request["project"])
        self.url = request["url"]
        for name in request.get("url_env", []):
            os.environ[name] = self.url
        self.config = self.load_config(request["config"])
        # configparser treats % as interpolation: escape it, as Alembic's docs advise.
        self.config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        self.script = ScriptDirectory.from_config(self.config)
        self.version_dirs = [os.path.abspath(d) for d in self.script._version_locations]
        self.env_py = os.path.abspath(os.path.join(self.script.dir, "env.py"))
        self.pass_connection = request.get("pass_connection", True) and "+asyncpg" not in self.url
        self.channel.ok(
            python=sys.version.split()[0],
            alembic=alembic.__version__,
            sqlalchemy=sqlalchemy.__version__,
        )

    @staticmethod
    def load_config(path):
        import alembic
        from alembic.config import Config

        if not path.endswith(".toml"):
            return Config(path)
        try:
            return Config(toml_file=path)  # [tool.alembic] in pyproject.toml, Alembic 1.16+
        except TypeError:
            raise RuntimeError(
                f"Alembic {alembic.__version__} cannot read [tool.alembic] from pyproject.toml "
                "(Alembic 1.16 and later can); upgrade Alembic or add an alembic.ini") from None

    def revisions(self, request):
        ordered = list(reversed(list(self.script.walk_revisions("base", "heads"))))
        self.channel.ok(revisions=[
            {
                "id": r.revision,
                "down": list(r._versioned_down_revisions),
                "depends_on": list(r._resolved_dependencies or ()),
                "labels": sorted(r.branch_labels),
                "path": os.path.abspath(r.path),
                "doc": r.doc,
            }
            for r in ordered
        ])

    # -- a session: env.py running, Alembic pulling steps from us ----------------------------

    def open(self, request):
        self.session = {"started": False, "closed": False, "answered": False}
        try:
            with self.env_connection(commit=True):
                with gate_environment(self.config, self.script, self.session_steps):
                    self.script.run_env()
            if not self.session["started"]:
                self.channel.fail({"type": "EnvironmentError", "file": self.env_py, "line": None,
                                   "message": "env.py did not call context.run_migrations() online"})
            elif self.session["closed"]:
                self.channel.ok()  # answers "close", now that env.py has finished and committed
            elif not self.session["answered"]:  # env.py swallowed a migration's exception
                self.channel.fail({"type": "EnvironmentError", "file": self.env_py, "line": None,
                                   "message": "env.py ended the migrations early without raising "
                                              "(does it catch their exceptions?)"})
        except Exception as exc:  # env.py or a migration raised: report it where it began
            if not self.session["answered"]:  # not yet told (a SessionFailed was: maybe wrapped)
                self.channel.fail(describe_error(exc, self.version_dirs, self.env_py))

    @contextlib.contextmanager
    def env_connection(self, commit):
        """Alembic's connection sharing recipe: env.py finds a connection to the scratch database
        in config.attributes["connection"] (not for async URLs: env.py makes its own engine).
        It also serves env.py files written for pytest-alembic, which put an Engine there: see
        engine_like()."""
        if not self.pass_connection:
            yield
            return
        import sqlalchemy

        engine = sqlalchemy.create_engine(self.url, poolclass=sqlalchemy.pool.NullPool)
        try:
            connection = engine_like(engine.connect())
            self.config.attributes["connection"] = connection
            try:
                yield
                if commit and connection.in_transaction():
                    connection.commit()
            finally:
                self.config.attributes.pop("connection", None)
                connection.close()  # without a commit: rolled back
        finally:
            engine.dispose()

    def session_steps(self, heads, context):
        """Alembic's migration function: a lazy iterable of steps, each one asked for by the
        binary. Queries run on the migration connection between steps."""
        if self.session["started"]:
            return  # env.py ran migrations a second time (several databases): nothing more to do
        self.session["started"] = True
        autocommit_noticed(context, self.session)
        self.channel.ok(heads=list(context.get_current_heads()))
        while True:
            request = self.channel.receive()
            op = request.get("op")
            if op in ("close", "exit"):  # "exit" mid-session: let env.py finish, then leave
                self.session["closed"] = True
                self.exit_requested = op == "exit"
                return
            try:
                if op == "query":
                    self.query(context, request["sql"])
                    continue
                if op == "current":
                    self.channel.ok(heads=list(context.get_current_heads()))
                    continue
                if op not in ("step", "roundtrip"):
                    raise ValueError(f"{op!r} is not a request inside a session")
                step = self.make_step(request)
                trip = None
                if op == "roundtrip" and not request.get("stamp"):
                    trip = RoundTrip(self, context, request)
                    step.migration_fn = trip.around(step.migration_fn)
                # Alembic's DDL memo (e.g. which enum types it created) lives as long as the
                # migration context; a command run anew starts with an empty one, so each step
                # does too.
                alembic_internal(context.impl, "memo", "upgrade").clear()
            except Exception as exc:
                self.channel.fail(describe_error(exc, self.version_dirs, self.env_py))
                self.session["answered"] = True
                raise SessionFailed() from exc
            started = time.monotonic()
            yield step  # Alembic runs it, then asks for the next one
            # No heads here: reading the version table would cost as much again as a small step.
            self.channel.ok(seconds=time.monotonic() - started, **(trip.report if trip else {}))

    def make_step(self, request):
        revision_map = self.script.revision_map
        revision = revision_map.get_revision(request["revision"])
        self.fresh_module(revision)
        upgrade = request.get("direction", "up") == "up"
        step = revision_step(revision_map, revision, upgrade, "upgrade" if upgrade else "downgrade")
        if request.get("stamp"):
            # Alembic's own bookkeeping of the version table, without running the migration.
            step.migration_fn = stamp_instead_of_running
        return step

    def fresh_module(self, revision):
        """Each `alembic` command loads a revision's module anew, so module-level objects (an
        sa.Enum that remembers it was created, say) never see a second run. Steps of the same
        revision here must not share them either: from the second use on, load it again."""
        if revision.revision in self.used_modules:
            revision.module = self.load_again(revision.path)
        self.used_modules.add(revision.revision)

    def load_again(self, path):
        """The revision's module executed anew, as Alembic's load_python_file() loads it, from
        code compiled once: the worker writes no bytecode into the project, and compiling the
        file again for every step would cost as much as a small migration."""
        import importlib.util
        import re

        code = self.compiled.get(path)
        if code is None:
            with open(path, "rb") as source:
                code = self.compiled[path] = compile(source.read(), path, "exec")
        spec = importlib.util.spec_from_file_location(re.sub(r"\W", "_", os.path.basename(path)), path)
        module = importlib.util.module_from_spec(spec)
        exec(code, module.__dict__)
        return module

    # -- offline: the SQL each revision would run -------------------------------------------

    def offline(self, request):
        """Runs env.py in offline mode through the given revisions; see the module docstring."""
        from alembic.runtime.environment import EnvironmentContext

        revision_map = self.script.revision_map
        revisions = [revision_map.get_revision(r) for r in request["revisions"]]
        recorder = OfflineRecorder(self.env_py)
        failures = []
        ran = []

        def guarded(step):
            upgrade = step.migration_fn

            @functools.wraps(upgrade)  # Alembic prints "-- Running upgrade ..." from its name
            def run(**kw):
                try:
                    upgrade(**kw)
                except Exception as exc:  # lint the others; the binary reports this one
                    recorder.refused.clear()  # names of the text that raised: never written
                    failures.append({"revision": step.revision.revision,
                                     "error": describe_error(exc, self.version_dirs, self.env_py)})
            return run

        def steps(heads, context):
            if ran:
                return  # env.py ran migrations a second time (several databases)
            ran.append(True)
            recorder.watch_identifiers(context.dialect)
            for revision in revisions:
                step = revision_step(revision_map, revision, True, "upgrade --sql")
                step.migration_fn = guarded(step)
                recorder.step = step
                yield step

        environment = EnvironmentContext(self.config, self.script, fn=steps, as_sql=True,
                                         starting_rev=None, destination_rev=request["revisions"][-1]
                                         if request["revisions"] else None)
        configure = environment.configure

        def configure_recorded(*args, **kw):
            kw["output_buffer"] = recorder
            kw.pop("output_encoding", None)
            return configure(*args, **kw)

        environment.configure = configure_recorded
        with environment, batch_lines_recorded(recorder):
            self.script.run_env()
        if not ran:
            raise RuntimeError("env.py did not call context.run_migrations() in offline mode")
        self.channel.ok(statements=recorder.statements, failures=failures)

    def query(self, context, sql):
        result = context.connection.exec_driver_sql(sql)
        columns = list(result.keys()) if result.returns_rows else []
        rows = text_rows(result) if result.returns_rows else []
        self.channel.ok(columns=columns, rows=rows)

    # -- the models: the drift check -----------------------------------------------------------

    def upgrade(self, request):
        """Every database env.py migrates, to the heads, in one run of env.py as `alembic upgrade
        heads` does; revisions in "stamp" are stamped instead of run (skip-revisions)."""
        from alembic.runtime.environment import EnvironmentContext

        stamp = set(request.get("stamp", []))

        def to_heads(rev, context):
            steps = alembic_internal(self.script, "_upgrade_revs", "upgrade")("heads", rev)
            for step in steps:
                self.fresh_module(step.revision)
                step.migration_fn = (stamp_instead_of_running if step.revision.revision in stamp
                                     else step.revision.module.upgrade)
            return steps

        with self.env_connection(commit=True):
            with EnvironmentContext(self.config, self.script, fn=to_heads):
                self.script.run_env()
        self.channel.ok()

    def drift(self, request):
        """Alembic's autogenerate comparison of the models with the database, made as `alembic
        check` (Alembic 1.9+) makes it, on 1.8 too: env.py runs as for `alembic revision
        --autogenerate`, so its target_metadata, include_object, include_name, include_schemas,
        compare_type, compare_server_default and process_revision_directives all apply, and the
        operations of every database it migrates are read from the revision context afterwards,
        as env.py's hook left them. No revision file is written: the scripts are never generated.
        (command.revision() always generates them, unless a hook of its own empties the
        directives; but that hook runs before env.py's in each run, so env.py's hook would get an
        empty list (the cookbook's reads directives[0]) and the next database of a multi-database
        env.py would find no script to add its operations to.)"""
        from alembic.runtime.environment import EnvironmentContext

        revision_context = self.revision_context()
        runs, excluded, metadatas, dialects = [], [], [], []

        def compare(rev, context):
            up_to_date = set(self.script.get_revisions(rev)) == set(self.script.get_revisions("heads"))
            metadata = as_list(context.opts.get("target_metadata"))
            runs.append({"current": list(rev), "up_to_date": up_to_date, "metadata": bool(metadata),
                         "version_table": qualified(context.version_table_schema, context.version_table),
                         "include_schemas": bool(context.opts.get("include_schemas")),
                         "default_schema": context.dialect.default_schema_name})
            if up_to_date and metadata:
                metadatas.extend(metadata)
                dialects.append(context.dialect)
                record_exclusions(context.opts, excluded, context.dialect.default_schema_name)
                alembic_internal(revision_context, "run_autogenerate", "check")(rev, context)
            return []

        try:
            with self.env_connection(commit=False), self.as_revision_command():
                with EnvironmentContext(self.config, self.script, fn=compare, as_sql=False,
                                        template_args=alembic_internal(revision_context, "template_args", "check"),
                                        revision_context=revision_context):
                    self.script.run_env()
            diffs = [describe_difference(diff, dialects[0])
                     # env.py's hook may have emptied the list
                     for script in alembic_internal(revision_context, "generated_revisions", "check")
                     for upgrade_ops in script.upgrade_ops_list
                     for diff in flatten(upgrade_ops.as_diffs())]
            models = ModelSources(self.version_dirs).describe(metadatas)
        except Exception as exc:
            self.channel.fail(describe_error(exc, self.version_dirs, self.env_py, [self.project_dir]))
            return
        types, types_error = None, None
        if request.get("types"):
            try:
                types = [entry for metadata in metadatas for entry in types_created(metadata)]
            except Exception as exc:  # the models' DDL event listeners ran on a mock connection
                types_error = describe_error(exc, self.version_dirs, self.env_py, [self.project_dir])
        self.channel.ok(runs=runs, diffs=diffs, excluded=excluded, models=models, types=types,
                        types_error=types_error, env_py=self.env_py,
                        metadata_line=assignment_line(self.env_py, "target_metadata"))

    def revision_context(self):
        """Alembic's RevisionContext, made as `alembic check` makes it."""
        try:
            from alembic.autogenerate import RevisionContext
        except ImportError:
            raise incompatible("alembic.autogenerate.RevisionContext", "check") from None
        try:
            return RevisionContext(self.config, self.script, dict(
                message="drift", autogenerate=True, sql=False, head="head", splice=False,
                branch_label=None, version_path=None, rev_id=None, depends_on=None))
        except TypeError as exc:
            raise incompatible(f"RevisionContext(config, script_directory, command_args) ({exc})",
                               "check") from None

    @contextlib.contextmanager
    def as_revision_command(self):
        """config.cmd_opts as `alembic revision --autogenerate` sets it: env.py files read
        config.cmd_opts.autogenerate (Alembic's recipe for not writing empty revisions)."""
        import argparse

        saved = self.config.cmd_opts
        if saved is None:
            self.config.cmd_opts = argparse.Namespace(
                cmd=None, config=self.config.config_file_name, name="alembic", raiseerr=False,
                x=None, autogenerate=True, message="drift", sql=False, head="head", splice=False,
                branch_label=None, version_path=None, rev_id=None, depends_on=None)
        try:
            yield
        finally:
            self.config.cmd_opts = saved

    def create_all(self, request):
        """The schema the models describe, built directly: metadata.create_all() of every
        target_metadata env.py gives (the schemas its tables name first), as a migration would run,
        in a transaction of its own."""
        from alembic.runtime.environment import EnvironmentContext

        tables = []

        def build(rev, context):
            quote = context.dialect.identifier_preparer.quote_schema
            for metadata in as_list(context.opts.get("target_metadata")):
                with per_migration_transaction(context):
                    for schema in sorted({t.schema for t in metadata.tables.values() if t.schema}):
                        context.connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
                    metadata.create_all(context.connection)
                tables.extend(metadata.tables)
            return []

        try:
            with self.env_connection(commit=True):
                with EnvironmentContext(self.config, self.script, fn=build):
                    self.script.run_env()
        except Exception as exc:
            self.channel.fail(describe_error(exc, self.version_dirs, self.env_py, [self.project_dir]))
            return
        self.channel.ok(tables=len(tables))


class OfflineRecorder:
    """The output buffer of an offline run: keeps each text Alembic prints with where it came
    from, found by walking the stack up from the write to the migration or env.py frame."""

    def __init__(self, env_py):
        from alembic.runtime.migration import MigrationContext

        self.env_py = env_py
        self.alembic_loop = MigrationContext.run_migrations.__code__
        self.statements = []
        self.step = None  # the RevisionStep running now
        self.batch_line = None  # while Alembic runs a queued batch operation: the line queuing it
        self.refused = []  # identifiers SQLAlchemy refused while rendering the next text

    def write(self, text):
        origin, line = self.origin(sys._getframe(1))
        if origin == "revision" and self.batch_line is not None:
            line = self.batch_line
        statement = {"sql": text, "revision": self.step.revision.revision if self.step else None,
                     "origin": origin, "line": line}
        refused, self.refused = self.refused, []
        if refused and origin == "revision":  # only a revision's operations name what it defines
            statement["refused_identifiers"] = refused
        self.statements.append(statement)

    def flush(self):
        pass

    def origin(self, frame):
        """("revision", line), ("env", line) or ("alembic", None): the innermost frame from
        `frame` outwards in the running revision's file or in env.py."""
        revision_file = os.path.abspath(self.step.revision.path) if self.step else None
        while frame is not None:
            if frame.f_code is self.alembic_loop:
                return "alembic", None  # Alembic's own transaction or version table statements
            path = os.path.abspath(frame.f_code.co_filename)
            if path == revision_file:
                return "revision", frame.f_lineno
            if path == self.env_py:
                return "env", frame.f_lineno
            frame = frame.f_back
        return "alembic", None

    def watch_identifiers(self, dialect):
        """SQLAlchemy refuses an explicit index or constraint name longer than the dialect's
        limit while rendering (IdentifierError), which would end the revision's offline run at
        that operation. Here its refusal is recorded with the text instead, and the text is
        rendered with the name as written, so every later operation is still read."""
        from sqlalchemy.exc import IdentifierError

        validate = dialect.validate_identifier

        def validate_or_record(ident):
            try:
                validate(ident)
            except IdentifierError:
                self.refused.append(str(ident))

        dialect.validate_identifier = validate_or_record


class QueuedOperations(list):
    """A batch's queue (BatchOperationsImpl.batch) in an offline run. Alembic queues every
    `batch_op.` call and runs them all when the `with op.batch_alter_table(...)` block ends;
    this queue remembers the migration line that queued each, and while Alembic runs one, the
    recorder places what it prints at that line."""

    def __init__(self, recorder, queued):
        super().__init__(queued)
        self.recorder = recorder
        self.lines = [None] * len(self)

    def append(self, operation):
        origin, line = self.recorder.origin(sys._getframe(1))
        self.lines.append(line if origin == "revision" else None)
        super().append(operation)

    def __iter__(self):
        for operation, line in zip(list.__iter__(self), self.lines):
            self.recorder.batch_line = line
            try:
                yield operation
            finally:
                self.recorder.batch_line = None


@contextlib.contextmanager
def batch_lines_recorded(recorder):
    """Every batch made while the block runs queues into a QueuedOperations (BatchOperationsImpl
    and its `batch`: not public API, unchanged from Alembic 1.8 to 1.13)."""
    try:
        from alembic.operations.batch import BatchOperationsImpl
    except ImportError:
        raise incompatible("alembic.operations.batch.BatchOperationsImpl", "upgrade --sql") from None

    init = BatchOperationsImpl.__init__

    def init_recorded(impl, *args, **kw):
        init(impl, *args, **kw)
        impl.batch = QueuedOperations(recorder, alembic_internal(impl, "batch", "upgrade --sql"))

    BatchOperationsImpl.__init__ = init_recorded
    try:
        yield
    finally:
        BatchOperationsImpl.__init__ = init


def preload():
    """Imports what "start" needs while the binary is still getting the database ready (the
    worker may be started ahead of it). A failure is left for "start" to meet and report."""
    with contextlib.suppress(Exception):
        import alembic.config  # noqa: F401
        import alembic.script  # noqa: F401
        import sqlalchemy  # noqa: F401


def main():
    channel = Channel()
    preload()
    worker = Worker(channel)
    handlers = {"start": worker.start, "revisions": worker.revisions, "open": worker.open,
                "offline": worker.offline, "upgrade": worker.upgrade, "drift": worker.drift,
                "create_all": worker.create_all}
    while True:
        request = channel.receive()
        op = request.get("op")
        if op == "exit":
            channel.ok()
            return
        handler = handlers.get(op)
        if handler is None:
            channel.fail({"type": "ProtocolError", "message": f"unknown request {op!r}"})
            continue
        try:
            handler(request)
        except Exception as exc:
            channel.fail(describe_error(exc, worker.version_dirs, worker.env_py))
        if worker.exit_requested:
            return


if __name__ == "__main__":
    main()
