#!/usr/bin/python3
"""Isolated per-revision roundtrip truth for an Alembic project on PostgreSQL.

usage: isolated_truth.py --project DIR --url postgresql://user@host:port/db [--out truth.json]
                         [--config alembic.ini] [--setup-sql FILE] [--limit N] [--step-timeout S]
                         [--version-table alembic_version] [--pg-dump PATH] [--quiet]

For every revision R, in Alembic's upgrade order, on its own:

  1. a database at R's parent state (CREATE DATABASE ... TEMPLATE <parent state>; one state
     database is kept per revision while it still has children to run; a merge's parent state is
     its first parent's state upgraded to the other parents);
  2. its schema dump (pg_dump --schema-only, normalised: see `normalise`);
  3. `alembic upgrade R` (in a copy that becomes R's state), then in another copy
     `alembic downgrade <R's parent>` (base for a base revision, the first parent for a merge),
     the dump again, the difference with (2) (the trace), then `alembic upgrade R` again (the
     re-upgrade).

Alembic runs in this process through its command API (alembic.command.upgrade / downgrade) with
the project's own alembic.ini and env.py, the current directory being the project's folder (as
`alembic` on the command line): sqlalchemy.url is set to the scratch database's URL and so is the
DATABASE_URL environment variable. Every database made is dropped at the end, also on errors
and SIGINT/SIGTERM. Run it with the Python that has the project's dependencies (/usr/bin/python3).

Writes {"project", "server_version", "seconds", "revisions": [{"revision", "file", "parents",
"upgrade", "downgrade", "trace", "reupgrade", ...}]} where upgrade and reupgrade are "ok",
"failed" or "skipped", downgrade is "ok", "failed", "not-implemented" or "skipped", trace lists
the differences ("- ..." before the upgrade only, "+ ..." after the downgrade only), and
*_error holds the message of a failed step (with *_where: file:line in the project).
"""

import argparse
import collections
import contextlib
import gc
import glob
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


# ---------------------------------------------------------------------------------------------
# The server: scratch databases and schema dumps


def find_pg_dump(requested):
    if requested:
        return requested
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return found[-1]
    return shutil.which("pg_dump") or sys.exit("isolated_truth: pg_dump not found (--pg-dump)")


class Server:
    """Creates, copies, dumps and drops databases named <prefix><n> on the server of a URL."""

    def __init__(self, url, pg_dump, version_table):
        self.url = make_url(url)
        self.pg_dump = pg_dump
        self.version_table = version_table
        self.prefix = f"truth_{os.getpid()}_"
        self.counter = 0
        self.made = set()
        # The project's URL keeps its driver (asyncpg, say); the harness's own work uses psycopg2.
        self.admin = create_engine(self.url.set(drivername="postgresql"), poolclass=NullPool,
                                   isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            self.version = conn.execute(text("SHOW server_version")).scalar()
            number = conn.execute(text("SHOW server_version_num")).scalar()
        # PostgreSQL 15's default WAL_LOG strategy writes the whole template to the WAL: slower
        # than FILE_COPY's checkpoint for the small databases of a migration history.
        self.strategy = " STRATEGY FILE_COPY" if int(number) >= 150000 else ""

    def url_of(self, name):
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _exec(self, sql, **params):
        with self.admin.connect() as conn:
            conn.execute(text(sql), params)

    def new_name(self, tag):
        self.counter += 1
        return f"{self.prefix}{tag}{self.counter}"

    def create(self, tag, template="template0"):
        name = self.new_name(tag)
        if template != "template0":
            self.disconnect(template)
        self.made.add(name)  # first: a signal arriving during CREATE DATABASE must not leak it
        self._exec(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{self.strategy}')
        return name

    def disconnect(self, name):
        """Ends the sessions an env.py left open (a pooled engine): a template must be idle."""
        gc.collect()
        self._exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   "WHERE datname = :name AND pid <> pg_backend_pid()", name=name)

    def drop(self, name):
        if name in self.made:
            self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.made.discard(name)

    def drop_all(self):
        for name in sorted(self.made):
            try:
                self.drop(name)
            except Exception as error:  # keep dropping the others
                print(f"isolated_truth: could not drop {name}: {error}", file=sys.stderr)

    def run_sql_file(self, name, path):
        engine = create_engine(self.url.set(database=name, drivername="postgresql"),
                               poolclass=NullPool)
        with open(path, encoding="utf-8") as sql, engine.begin() as conn:
            conn.connection.cursor().execute(sql.read())  # no parameters: % is not special
        engine.dispose()

    def dump(self, name):
        env = dict(os.environ)
        if self.url.password:
            env["PGPASSWORD"] = self.url.password
        command = [self.pg_dump, "--schema-only", "--no-owner", "--no-privileges",
                   f"--exclude-table=*.{self.version_table}", "--dbname", name]
        if self.url.host:
            command += ["--host", self.url.host]
        if self.url.port:
            command += ["--port", str(self.url.port)]
        if self.url.username:
            command += ["--username", self.url.username]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"pg_dump {name} failed: {done.stderr.strip()}")
        return normalise(done.stdout)


# ---------------------------------------------------------------------------------------------
# Normalised dumps and their differences

NOISE = re.compile(r"^(--|SET |SELECT pg_catalog\.set_config\(|\\restrict |\\unrestrict )")
TABLE = re.compile(r"^CREATE (UNLOGGED |FOREIGN )?TABLE ")
DOLLAR = re.compile(r"\$[A-Za-z_0-9]*\$")


def statements(dump_text):
    """The dump's statements, each a list of lines (comments, SET lines, blank lines dropped)."""
    current, quoted = [], False
    for line in dump_text.splitlines():
        if not current and (not line.strip() or NOISE.match(line)):
            continue
        current.append(line.rstrip())
        if len(DOLLAR.findall(line)) % 2:
            quoted = not quoted
        if not quoted and line.rstrip().endswith(";"):
            yield current
            current = []
    if current:
        yield current


def normalise(dump_text):
    """A multiset of statements, whitespace collapsed (a function body re-created with other
    indentation or blank lines is not a trace); a CREATE TABLE's column lines are sorted (column
    order after a drop and restore is not a trace) and kept apart as "<header> | <column>"."""
    result = collections.Counter()
    for lines in statements(dump_text):
        if TABLE.match(lines[0]) and len(lines) > 2:
            end = next((i for i in range(1, len(lines)) if lines[i].startswith(")")), len(lines))
            header = squeeze(lines[0].rstrip(" ("))
            result[squeeze(" ".join([header, "(...)"] + lines[end:]))] += 1
            for column in filter(str.strip, lines[1:end]):
                result[f"{header} | {squeeze(column).rstrip(',')}"] += 1
        else:
            result[squeeze(" ".join(lines))] += 1
    return result


def squeeze(text):
    return " ".join(text.split())


def difference(before, after):
    gone = before - after
    new = after - before
    return ([f"- {s}" for s in sorted(gone.elements())] +
            [f"+ {s}" for s in sorted(new.elements())])


# ---------------------------------------------------------------------------------------------
# The project: Alembic's own commands, in this process


class StepTimeout(Exception):
    pass


class Project:
    def __init__(self, folder, config_name, step_timeout):
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        self.folder = os.path.abspath(folder)
        os.chdir(self.folder)  # prepend_sys_path and script_location are relative to it
        ini = os.path.join(self.folder, config_name)
        if not os.path.exists(ini):
            sys.exit(f"isolated_truth: {ini} not found")
        self.config = Config(ini)
        self.script = ScriptDirectory.from_config(self.config)
        self.step_timeout = step_timeout

    def upgrade_order(self):
        return list(reversed(list(self.script.walk_revisions("base", "heads"))))

    def relative(self, path):
        return os.path.relpath(os.path.abspath(path), self.folder)

    def _point_at(self, url):
        self.config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        os.environ["DATABASE_URL"] = url

    def run(self, url, verb, target):
        """Runs `alembic <verb> <target>`; returns (status, message, where, seconds)."""
        from alembic import command

        self._point_at(url)
        step = getattr(command, verb)
        start = time.monotonic()
        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(self.step_timeout)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                step(self.config, target)
            status, message, where = "ok", "", ""
        except NotImplementedError as error:
            status, message, where = "not-implemented", describe(error), self.where(error)
        except (Exception, StepTimeout, SystemExit) as error:
            status, message, where = "failed", describe(error), self.where(error)
        finally:
            signal.alarm(0)
        return status, message, where, round(time.monotonic() - start, 3)

    def where(self, error):
        """file:line of the innermost traceback frame inside the project (the migration)."""
        found = ""
        for frame in traceback.extract_tb(error.__traceback__):
            path = os.path.abspath(frame.filename)
            if path.startswith(self.folder + os.sep) and os.path.isfile(path):
                found = f"{self.relative(path)}:{frame.lineno}"
        return found


def _alarm(signum, frame):
    raise StepTimeout("the step ran longer than --step-timeout")


def describe(error):
    original = getattr(error, "orig", None)
    shown = original if original is not None else error
    lines = [line for line in str(shown).splitlines() if line.strip()]
    first = lines[0] if lines else ""
    return f"{type(shown).__name__}: {first}"[:500]


# ---------------------------------------------------------------------------------------------
# The walk


class Walk:
    """Keeps one database per revision state while the state still has children to run."""

    def __init__(self, server, project, setup_sql):
        self.server = server
        self.project = project
        self.states = {}  # revision -> database at that revision
        self.dumps = {}  # database -> normalised dump
        self.children = collections.Counter()
        self.base = server.create("base")
        if setup_sql:
            server.run_sql_file(self.base, setup_sql)

    def plan(self, revisions):
        for revision in revisions:
            for parent in parents(revision):
                self.children[parent] += 1

    def dump(self, name):
        if name not in self.dumps:
            self.dumps[name] = self.server.dump(name)
        return self.dumps[name]

    def parent_state(self, revision):
        """(database at R's parent state, whether it is a throwaway) or (None, reason)."""
        wanted = parents(revision)
        if not wanted:
            return self.base, False
        missing = [p for p in wanted if p not in self.states]
        if missing:
            return None, f"parent {missing[0]} did not upgrade"
        if len(wanted) == 1:
            return self.states[wanted[0]], False
        merged = self.server.create("m", self.states[wanted[0]])
        for other in wanted[1:]:
            status, message, _, _ = self.project.run(self.server.url_of(merged), "upgrade", other)
            if status != "ok":
                self.server.drop(merged)
                return None, f"could not build the merge's parent state: {message}"
        return merged, True

    def release(self, revision):
        for parent in parents(revision):
            self.children[parent] -= 1
            if self.children[parent] == 0 and parent in self.states:
                self.forget(self.states.pop(parent))

    def forget(self, name):
        self.dumps.pop(name, None)
        self.server.drop(name)

    def one(self, revision):
        record = {"revision": revision.revision, "file": self.project.relative(revision.path),
                  "parents": list(parents(revision)), "upgrade": "skipped",
                  "downgrade": "skipped", "trace": [], "reupgrade": "skipped"}
        parent, throwaway = self.parent_state(revision)
        if parent is None:
            record["skipped_reason"] = throwaway
            return record
        try:
            self.roundtrip(revision, parent, record)
        finally:
            if throwaway:
                self.forget(parent)
        return record

    def roundtrip(self, revision, parent, record):
        server, project, rev = self.server, self.project, revision.revision
        before = self.dump(parent)
        state = server.create("s", parent)
        record.update(step(project, server.url_of(state), "upgrade", rev, "upgrade"))
        if record["upgrade"] != "ok":
            server.drop(state)
            return
        work = state  # a revision without children needs no copy of its state
        if self.children[rev] > 0:
            self.states[rev] = state
            work = server.create("w", state)
        try:
            record.update(step(project, server.url_of(work), "downgrade",
                               downgrade_target(revision), "downgrade"))
            if record["downgrade"] != "ok":
                return
            record["trace"] = difference(before, server.dump(work))
            record.update(step(project, server.url_of(work), "upgrade", rev, "reupgrade"))
        finally:
            if work != self.states.get(rev):
                server.drop(work)


def step(project, url, verb, target, key):
    status, message, where, seconds = project.run(url, verb, target)
    result = {key: status, f"{key}_seconds": seconds}
    if message:
        result[f"{key}_error"] = message
        result[f"{key}_where"] = where
    return result


def downgrade_target(revision):
    """R's parent; for a merge its first parent, which takes back R alone (Alembic removes only
    what depends on the target: the database's heads become all of R's parents; `-1` would be
    an "Ambiguous walk"); `base` for a base revision."""
    found = parents(revision)
    return found[0] if found else "base"


def parents(revision):
    """The revisions whose state R's upgrade starts from: down revisions and dependencies."""
    return tuple(getattr(revision, "_all_down_revisions", None) or revision._versioned_down_revisions)


# ---------------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", required=True, help="the folder holding alembic.ini")
    parser.add_argument("--url", required=True,
                        help="a PostgreSQL server URL whose role may CREATE DATABASE")
    parser.add_argument("--out", help="the JSON file to write (default: stdout)")
    parser.add_argument("--config", default="alembic.ini", help="relative to --project")
    parser.add_argument("--setup-sql", help="SQL run once in the empty base database")
    parser.add_argument("--limit", type=int, help="only the first N revisions in upgrade order")
    parser.add_argument("--step-timeout", type=int, default=300, help="seconds (default 300)")
    parser.add_argument("--pg-dump", help="the pg_dump binary (default: the newest installed)")
    parser.add_argument("--version-table", default="alembic_version",
                        help="left out of the dumps (default alembic_version)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser.parse_args()


def progress(index, total, record):
    marks = [f"up={record['upgrade']}", f"down={record['downgrade']}",
             f"trace={len(record['trace'])}", f"re={record['reupgrade']}"]
    print(f"[{index}/{total}] {record['revision']} {' '.join(marks)}", file=sys.stderr)


def terminate(signum, frame):
    # Not SystemExit: a step catches that (a migration calling sys.exit is a failed step).
    raise KeyboardInterrupt(f"signal {signum}")


def main():
    args = parse_args()
    setup_sql = os.path.abspath(args.setup_sql) if args.setup_sql else None
    out = os.path.abspath(args.out) if args.out else None
    signal.signal(signal.SIGTERM, terminate)
    # A statement or lock wait that never ends would block the in-process step for good.
    os.environ["PGOPTIONS"] = (os.environ.get("PGOPTIONS", "") +
                               f" -c statement_timeout={args.step_timeout * 1000}"
                               " -c lock_timeout=60000").strip()
    server = Server(args.url, find_pg_dump(args.pg_dump), args.version_table)
    started = time.monotonic()
    try:
        project = Project(args.project, args.config, args.step_timeout)
        revisions = project.upgrade_order()[: args.limit]
        walk = Walk(server, project, setup_sql)
        walk.plan(revisions)
        records = []
        for index, revision in enumerate(revisions, 1):
            records.append(walk.one(revision))
            walk.release(revision)
            if not args.quiet:
                progress(index, len(revisions), records[-1])
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the cleanup itself is not interrupted
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.drop_all()
    document = {"project": project.folder, "server_version": server.version,
                "seconds": round(time.monotonic() - started, 1), "revisions": records}
    write(document, out)
    print(summary(records), file=sys.stderr)


def summary(records):
    count = collections.Counter()
    for r in records:
        count["traces"] += bool(r["trace"])
        count["upgrade failed"] += r["upgrade"] == "failed"
        count["downgrade failed"] += r["downgrade"] == "failed"
        count["not implemented"] += r["downgrade"] == "not-implemented"
        count["reupgrade failed"] += r["reupgrade"] == "failed"
        count["skipped"] += r["upgrade"] == "skipped"
    parts = ", ".join(f"{key} {value}" for key, value in count.items())
    return f"isolated_truth: {len(records)} revisions: {parts}"


def write(document, out):
    data = json.dumps(document, indent=1) + "\n"
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(data)
    else:
        sys.stdout.write(data)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt as interrupted:
        print(f"isolated_truth: interrupted ({interrupted or 'SIGINT'}); its databases are dropped",
              file=sys.stderr)
        sys.exit(130)
