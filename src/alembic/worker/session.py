"""A session: one online run of env.py (the "open" request), Alembic pulling one step at a
time from the binary; what the worker changes in env.py's environment for it."""

import contextlib

from .internals import alembic_internal


class Session:
    """The state of one session, shared by the worker's step loop and a RoundTrip."""

    def __init__(self):
        self.started = False  # env.py called run_migrations(): the binary's steps are pulled
        self.closed = False  # "close" (or "exit") arrived: env.py finishes and commits
        self.answered = False  # the failure was answered: what env.py raises then is not sent
        self.committed_midway = False  # a migration of the current step used autocommit_block()
        self.autocommit_block = None  # the migration context's own autocommit_block()
        self.capture = None  # a StatementCapture, once a step asked for what its upgrade ran


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
    block = session.autocommit_block = alembic_internal(context, "autocommit_block", "upgrade")

    @contextlib.contextmanager
    def noticed():
        session.committed_midway = True
        if session.capture:
            session.capture.autocommit(entering=True)
        with block():
            yield
        if session.capture:
            session.capture.autocommit(entering=False)

    context.autocommit_block = noticed
