"""Alembic environment for the blog example.

The database URL comes from the DATABASE_URL environment variable and falls
back to ``sqlalchemy.url`` in alembic.ini.  A caller (tests, alembic-gate)
may also hand over an already open connection through
``config.attributes["connection"]``.
"""
import os
import sys
from logging.config import fileConfig

from sqlalchemy import create_engine, pool

from alembic import context

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Make the project root (the folder containing alembic.ini) importable so
# that "blog.models" resolves no matter where alembic is run from.
if config.config_file_name is not None:
    PROJECT_ROOT = os.path.dirname(os.path.abspath(config.config_file_name))
else:
    PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PROJECT_ROOT not in sys.path:
    sys.path.insert(0, PROJECT_ROOT)

from blog.models import metadata  # noqa: E402

# Interpret the config file for Python logging.
# This line sets up loggers basically.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def get_url() -> str:
    url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "No database URL: set DATABASE_URL or sqlalchemy.url in alembic.ini"
        )
    # SQLAlchemy 1.4+ no longer accepts the legacy "postgres://" scheme.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return url


def set_lock_timeout() -> None:
    """Give up on a lock after 5 s instead of queueing every query behind the migration."""
    context.execute("SET lock_timeout = '5s'")


def run_migrations_offline() -> None:
    """Run migrations in 'offline' mode.

    This configures the context with just a URL and not an Engine, so no
    DBAPI connection is needed; the SQL is written to the script output.
    """
    context.configure(
        url=get_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        compare_type=True,
        transaction_per_migration=True,
    )

    with context.begin_transaction():
        set_lock_timeout()
        context.run_migrations()


def do_run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        transaction_per_migration=True,
    )

    with context.begin_transaction():
        set_lock_timeout()
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations in 'online' mode.

    Uses the connection given in ``config.attributes["connection"]`` when
    there is one, otherwise creates an Engine from the configured URL.
    """
    connection = config.attributes.get("connection", None)
    if connection is not None:
        do_run_migrations(connection)
        return

    connectable = create_engine(get_url(), poolclass=pool.NullPool)
    try:
        with connectable.connect() as connection:
            do_run_migrations(connection)
    finally:
        connectable.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
