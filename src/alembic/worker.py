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
        -> {"seconds", "heads"}                   one revision, in Alembic's own RevisionStep
    {"op": "query", "sql": SQL}
        -> {"columns": [...], "rows": [[text or null...]...]}    on the migration connection
    {"op": "close"}    -> {}                       env.py finishes (and commits)
  {"op": "exit"}      -> {}                        then the process exits (inside a session:
                                                   after env.py has finished)
  {"op": "offline", "revisions": [ID...]}          runs env.py offline (as_sql) once, upgrading
                                                   through these revisions in this order
      -> {"statements": [{"sql", "revision", "origin", "line"}...],
          "failures": [{"revision", "error": {...}}...]}
         every text Alembic printed, in order; "revision": the step running then (null before
         the first); "origin": "revision" (emitted from that revision's file, at "line"), "env"
         (from env.py, at "line") or "alembic" (its own BEGIN/COMMIT and version table). A
         revision that raises is listed in "failures" and the run goes on with the next one.
A failure inside a session (a step raising) ends it: the failing request gets the error, and
the next request must be "open" again.
"""

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


def describe_error(exc, version_dirs, env_py):
    """The error as the binary reports it: the innermost frame inside a migration file, else
    inside env.py; a SyntaxError's own location."""
    frames = traceback.extract_tb(exc.__traceback__)
    location = None
    for wanted in (version_dirs, [env_py] if env_py else []):
        for frame in reversed(frames):
            path = os.path.abspath(frame.filename)
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
    own, so each step is committed when the next one is asked for and the binary can read the
    catalog from its own connection between steps."""
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


class Worker:
    def __init__(self, channel):
        self.channel = channel
        self.config = None
        self.script = None
        self.url = None
        self.pass_connection = False
        self.version_dirs = []
        self.env_py = None
        self.used_modules = set()
        self.exit_requested = False

    # -- requests outside a session ---------------------------------------------------------

    def start(self, request):
        import alembic
        import sqlalchemy
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        os.chdir(request["project"])
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
        engine = connection = None
        try:
            if self.pass_connection:
                import sqlalchemy

                engine = sqlalchemy.create_engine(self.url, poolclass=sqlalchemy.pool.NullPool)
                connection = engine.connect()
                self.config.attributes["connection"] = connection
            with gate_environment(self.config, self.script, self.session_steps):
                self.script.run_env()
            if connection is not None and connection.in_transaction():
                connection.commit()
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
        finally:
            self.config.attributes.pop("connection", None)
            if connection is not None:
                connection.close()
            if engine is not None:
                engine.dispose()

    def session_steps(self, heads, context):
        """Alembic's migration function: a lazy iterable of steps, each one asked for by the
        binary. Queries run on the migration connection between steps."""
        if self.session["started"]:
            return  # env.py ran migrations a second time (several databases): nothing more to do
        self.session["started"] = True
        if getattr(context, "_in_external_transaction", False):
            # Every step would stay uncommitted until env.py ends, unseen by the catalog checks.
            self.channel.fail({"type": "EnvironmentError", "file": self.env_py, "line": None,
                               "message": "env.py runs the migrations inside a transaction it began "
                                          "itself (e.g. `with engine.begin()`), so each revision "
                                          "cannot commit on its own; use `engine.connect()` and "
                                          "`context.begin_transaction()` as Alembic's template does"})
            self.session["answered"] = True
            raise SessionFailed()
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
                if op != "step":
                    raise ValueError(f"{op!r} is not a request inside a session")
                step = self.make_step(request)
            except Exception as exc:
                self.channel.fail(describe_error(exc, self.version_dirs, self.env_py))
                self.session["answered"] = True
                raise SessionFailed() from exc
            # Alembic's DDL memo (e.g. which enum types it created) lives as long as the migration
            # context; a command run anew starts with an empty one, so each step does too.
            memo = getattr(getattr(context, "impl", None), "memo", None)
            if isinstance(memo, dict):
                memo.clear()
            started = time.monotonic()
            yield step  # Alembic runs it, then asks for the next one
            self.channel.ok(seconds=time.monotonic() - started, heads=list(context.get_current_heads()))

    def make_step(self, request):
        from alembic.runtime.migration import RevisionStep

        revision_map = self.script.revision_map
        revision = revision_map.get_revision(request["revision"])
        self.fresh_module(revision)
        step = RevisionStep(revision_map, revision, request["direction"] == "up")
        if request.get("stamp"):
            # Alembic's own bookkeeping of the version table, without running the migration.
            step.migration_fn = stamp_instead_of_running
        return step

    def fresh_module(self, revision):
        """Each `alembic` command loads a revision's module anew, so module-level objects (an
        sa.Enum that remembers it was created, say) never see a second run. Steps of the same
        revision here must not share them either: from the second use on, load it again."""
        from alembic.util import load_python_file

        if revision.revision in self.used_modules:
            revision.module = load_python_file(os.path.dirname(revision.path), os.path.basename(revision.path))
        self.used_modules.add(revision.revision)

    # -- offline: the SQL each revision would run -------------------------------------------

    def offline(self, request):
        """Runs env.py in offline mode through the given revisions; see the module docstring."""
        from alembic.runtime.environment import EnvironmentContext
        from alembic.runtime.migration import RevisionStep

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
                    failures.append({"revision": step.revision.revision,
                                     "error": describe_error(exc, self.version_dirs, self.env_py)})
            return run

        def steps(heads, context):
            if ran:
                return  # env.py ran migrations a second time (several databases)
            ran.append(True)
            for revision in revisions:
                step = RevisionStep(revision_map, revision, True)
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
        with environment:
            self.script.run_env()
        if not ran:
            raise RuntimeError("env.py did not call context.run_migrations() in offline mode")
        self.channel.ok(statements=recorder.statements, failures=failures)

    def query(self, context, sql):
        result = context.connection.exec_driver_sql(sql)
        columns = list(result.keys()) if result.returns_rows else []
        rows = [[None if v is None else str(v) for v in row] for row in result] if result.returns_rows else []
        self.channel.ok(columns=columns, rows=rows)


class OfflineRecorder:
    """The output buffer of an offline run: keeps each text Alembic prints with where it came
    from, found by walking the stack up from the write to the migration or env.py frame."""

    def __init__(self, env_py):
        from alembic.runtime.migration import MigrationContext

        self.env_py = env_py
        self.alembic_loop = MigrationContext.run_migrations.__code__
        self.statements = []
        self.step = None  # the RevisionStep running now

    def write(self, text):
        origin, line = self.origin()
        self.statements.append({"sql": text, "revision": self.step.revision.revision if self.step else None,
                                "origin": origin, "line": line})

    def flush(self):
        pass

    def origin(self):
        revision_file = os.path.abspath(self.step.revision.path) if self.step else None
        frame = sys._getframe(2)
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


def main():
    channel = Channel()
    worker = Worker(channel)
    handlers = {"start": worker.start, "revisions": worker.revisions, "open": worker.open,
                "offline": worker.offline}
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
