"""Where the models define their tables and columns, read from the project's sources with ast."""

import ast
import os
import sys

from .protocol import is_library


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
