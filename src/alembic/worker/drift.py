"""The "drift" request's facts: autogenerate's differences as the protocol carries them, what
env.py's include hooks leave out, the named types metadata.create_all() creates itself."""


def as_list(metadata):
    """target_metadata is one MetaData or a sequence of them."""
    if metadata is None:
        return []
    return list(metadata) if isinstance(metadata, (list, tuple)) else [metadata]


def qualified(schema, name):
    return f"{schema}.{name}" if schema else name


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
