"""What a revision's upgrade really runs online: each statement it sends through SQLAlchemy,
with the line of the migration that sent it, for the lint rules to judge when the revision
cannot be rendered offline (docs/worker-protocol.md, "ran")."""

import os
import re
import sys

# Beyond this many statements (a seed loop of single INSERTs, say) a revision's are not sent: lint
# then judges its offline SQL alone, as without the roundtrip.
MAX_STATEMENTS = 2000

# psycopg2's and psycopg's placeholders (%(name)s, %s); %% is a literal percent.
PLACEHOLDER = re.compile(r"%\((?:[^)]*)\)s|%s|%%")


def numbered_placeholders(sql):
    """`sql` with the driver's placeholders as PostgreSQL's own ($1, $2, ...), which its parser
    reads; asyncpg's are already those."""
    count = 0

    def number(match):
        nonlocal count
        if match.group(0) == "%%":
            return "%"
        count += 1
        return f"${count}"

    return PLACEHOLDER.sub(number, sql)


class StatementCapture:
    """Listens on the migration connection; records only between start() and stop()."""

    def __init__(self, connection):
        from sqlalchemy import event

        self.paths = None  # the revision file as compiled, and as an absolute path
        self.batch_line = None  # while Alembic runs a queued batch operation: the line queuing it
        self.statements = []
        event.listen(connection, "before_cursor_execute", self.executed)

    def start(self, revision_path):
        self.paths = {revision_path, os.path.abspath(revision_path)}
        self.statements = []

    def stop(self):
        self.paths, ran = None, self.statements
        self.statements = []
        return ran if len(ran) <= MAX_STATEMENTS else []

    def executed(self, conn, cursor, statement, parameters, context, executemany):
        if self.paths is None:
            return
        line = self.line_in_revision(sys._getframe(1))
        if line is not None and self.batch_line is not None:
            line = self.batch_line  # Alembic runs a batch_op call where its `with` block ends
        if line is not None and len(self.statements) <= MAX_STATEMENTS:
            self.statements.append({"sql": numbered_placeholders(statement), "line": line})

    def autocommit(self, entering):
        """Where the migration's transaction ends and begins again (autocommit_block()): the lint
        rules know then which statements ran outside a transaction."""
        if self.paths is not None:
            self.statements.append({"sql": "COMMIT" if entering else "BEGIN", "line": None})

    def origin(self, frame):
        """As OfflineRecorder.origin: ("revision", line) for a frame in the revision's file, so
        that offline.QueuedOperations places each batch operation at its own line."""
        line = self.line_in_revision(frame)
        return ("revision", line) if line is not None else ("alembic", None)

    def line_in_revision(self, frame):
        while frame is not None:
            if frame.f_code.co_filename in self.paths:
                return frame.f_lineno
            frame = frame.f_back
        return None
