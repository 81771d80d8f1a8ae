"""The "offline" request's recording: each text Alembic prints in an offline run, with the
revision and line it came from (an operation queued on a `batch_op` at its own line)."""

import contextlib
import os
import sys

from .internals import alembic_internal, incompatible


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
    and its `batch`: not public API, unchanged from Alembic 1.8 to 1.19)."""
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
