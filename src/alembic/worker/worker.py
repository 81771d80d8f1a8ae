"""The worker's requests (the Worker) and its loop (main()). The protocol:
docs/worker-protocol.md."""

import contextlib
import functools
import os
import sys
import time

from .drift import as_list, describe_difference, flatten, qualified, record_exclusions, types_created
from .internals import (alembic_internal, incompatible, per_migration_transaction, revision_step,
                        stamp_instead_of_running)
from .models import ModelSources, assignment_line
from .offline import OfflineRecorder, batch_lines_recorded
from .protocol import (REPORTED, BinaryGone, Channel, SessionFailed, describe_error,
                       die_with_parent, text_rows)
from .roundtrip import RoundTrip
from .session import Session, autocommit_noticed, engine_like, gate_environment


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
        self.session = None  # a Session while env.py runs online ("open")

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
        self.session = Session()
        try:
            with self.env_connection(commit=True):
                with gate_environment(self.config, self.script, self.session_steps):
                    self.script.run_env()
            if not self.session.started:
                self.channel.fail({"type": "EnvironmentError", "file": self.env_py, "line": None,
                                   "message": "env.py did not call context.run_migrations() online"})
            elif self.session.closed:
                self.channel.ok()  # answers "close", now that env.py has finished and committed
            elif not self.session.answered:  # env.py swallowed a migration's exception
                self.channel.fail({"type": "EnvironmentError", "file": self.env_py, "line": None,
                                   "message": "env.py ended the migrations early without raising "
                                              "(does it catch their exceptions?)"})
        except BinaryGone:
            raise
        except REPORTED as exc:  # env.py or a migration raised: report it where it began
            if not self.session.answered:  # not yet told (a SessionFailed was: maybe wrapped)
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
        if self.session.started:
            return  # env.py ran migrations a second time (several databases): nothing more to do
        self.session.started = True
        autocommit_noticed(context, self.session)
        self.channel.ok(heads=list(context.get_current_heads()))
        while True:
            request = self.channel.receive()
            op = request.get("op")
            if op in ("close", "exit"):  # "exit" mid-session: let env.py finish, then leave
                self.session.closed = True
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
                self.session.answered = True
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
        """Runs env.py in offline mode through the given revisions; see docs/worker-protocol.md."""
        revision_map = self.script.revision_map
        revisions = [revision_map.get_revision(r) for r in request["revisions"]]
        recorder = OfflineRecorder(self.env_py)
        failures = []
        version_table = self.run_offline(recorder, failures, revisions, True, None,
                                         request["revisions"][-1] if request["revisions"] else None)
        self.channel.ok(statements=recorder.statements, failures=failures,
                        version_table=version_table)

    def offline_downgrades(self, request):
        """Each given revision's downgrade alone, as `alembic downgrade REV:PARENT --sql` prints
        it: one offline run of env.py per revision; see docs/worker-protocol.md."""
        revision_map = self.script.revision_map
        downgrades = []
        for revision_id in request["revisions"]:
            revision = revision_map.get_revision(revision_id)
            recorder = OfflineRecorder(self.env_py)
            failures = []
            parents = revision.down_revision
            destination = (parents if isinstance(parents, str) else
                           parents[0] if parents else "base")
            self.run_offline(recorder, failures, [revision], False, revision_id, destination)
            downgrades.append({"revision": revision_id, "statements": recorder.statements,
                               "failure": failures[0]["error"] if failures else None})
        self.channel.ok(downgrades=downgrades)

    def run_offline(self, recorder, failures, revisions, is_upgrade, starting_rev,
                    destination_rev):
        """One run of env.py in offline mode (as_sql) through `revisions`, each in Alembic's own
        RevisionStep, what Alembic prints recorded by `recorder`. A revision that raises is
        added to `failures` and the run goes on with the next one. Returns the version table
        env.py configured (version_table, version_table_schema): {"name", "schema"}."""
        from alembic.runtime.environment import EnvironmentContext

        revision_map = self.script.revision_map
        command = "upgrade --sql" if is_upgrade else "downgrade --sql"
        ran = []

        def guarded(step):
            migration = step.migration_fn

            @functools.wraps(migration)  # Alembic prints "-- Running upgrade ..." from its name
            def run(**kw):
                try:
                    migration(**kw)
                except Exception as exc:  # go on with the others; the binary reports this one
                    recorder.refused.clear()  # names of the text that raised: never written
                    failures.append({"revision": step.revision.revision,
                                     "error": describe_error(exc, self.version_dirs, self.env_py),
                                     "at": len(recorder.statements)})
            return run

        def steps(heads, context):
            if ran:
                return  # env.py ran migrations a second time (several databases)
            ran.append({"name": context.version_table, "schema": context.version_table_schema})
            recorder.watch_identifiers(context.dialect)
            for revision in revisions:
                self.fresh_module(revision)  # as a command of its own loads it
                step = revision_step(revision_map, revision, is_upgrade, command)
                step.migration_fn = guarded(step)
                recorder.step = step
                yield step
            recorder.step = None  # what Alembic prints from here on closes the whole run

        environment = EnvironmentContext(self.config, self.script, fn=steps, as_sql=True,
                                         starting_rev=starting_rev, destination_rev=destination_rev)
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
        return ran[0]

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


def preload():
    """Imports what "start" needs while the binary is still getting the database ready (the
    worker may be started ahead of it). A failure is left for "start" to meet and report."""
    with contextlib.suppress(Exception):
        import alembic.config  # noqa: F401
        import alembic.script  # noqa: F401
        import sqlalchemy  # noqa: F401


def main():
    die_with_parent()
    channel = Channel()
    preload()
    worker = Worker(channel)
    handlers = {"start": worker.start, "revisions": worker.revisions, "open": worker.open,
                "offline": worker.offline, "offline_downgrades": worker.offline_downgrades,
                "upgrade": worker.upgrade, "drift": worker.drift,
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
        except BinaryGone:
            raise
        except REPORTED as exc:
            channel.fail(describe_error(exc, worker.version_dirs, worker.env_py))
        if worker.exit_requested:
            return
