"""The "roundtrip" request: one revision's upgrade, downgrade and upgrade again."""

import functools
import time

from .capture import StatementCapture
from .internals import alembic_internal
from .offline import batch_lines_recorded
from .protocol import REPORTED, BinaryGone, SessionFailed, describe_error


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
        session.committed_midway = False
        self.report["up_seconds"] = self.captured(upgrade, kw)
        whole = not in_transaction or session.committed_midway
        after = self.report["after"] = self.read(whole, start)
        if not self.request.get("trio"):
            return
        if not whole and not external:
            with session.autocommit_block():  # commits the upgrade, begins the next one
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
            self.report["after_down"] = self.read(whole or session.committed_midway, start, touched)
            failed = self.attempt("reup", self.worker.load_again(self.revision.path).upgrade, kw)
        if not whole and not session.committed_midway:
            self.sql("ROLLBACK TO SAVEPOINT ag_trio")
            self.report["state"] = "exact"
            return
        self.report["state"] = "unknown" if failed else "reupgraded"
        if failed:  # the transaction it failed in cannot go on: the session ends here
            session.answered = True
            self.worker.channel.ok(seconds=self.report["up_seconds"], **self.report)
            raise SessionFailed()
        self.report["after"] = self.read(True, start)  # what they left is what stays

    def attempt(self, which, fn, kw):
        """Runs a migration function; a failure is reported, not raised. Returns whether it
        failed."""
        try:
            self.report[f"{which}_seconds"] = self.timed(fn, kw)
            return False
        except BinaryGone:
            raise
        except REPORTED as exc:
            self.report[f"{which}_error"] = describe_error(exc, self.worker.version_dirs,
                                                           self.worker.env_py)
            return True

    def captured(self, upgrade, kw):
        """The upgrade, timed; with "capture", what it ran goes into the report as "ran"."""
        session = self.worker.session
        if not self.request.get("capture"):
            return self.timed(upgrade, kw)
        if session.capture is None:
            session.capture = StatementCapture(self.context.connection)
        session.capture.start(self.revision.path)
        try:
            with batch_lines_recorded(session.capture):
                return self.timed(upgrade, kw)
        finally:
            self.report["ran"] = session.capture.stop()

    def timed(self, fn, kw):
        alembic_internal(self.context.impl, "memo", "upgrade").clear()
        started = time.monotonic()
        fn(**kw)
        return time.monotonic() - started
