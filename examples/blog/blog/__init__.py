"""Blog example application used to demonstrate alembic-gate."""
