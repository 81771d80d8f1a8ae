"""The parts of Alembic that are not its public API, used as Alembic's own commands use them
(unchanged from Alembic 1.8 to 1.19), behind guards that name a release that changed them."""


class AlembicIncompatible(RuntimeError):
    """This Alembic lacks a part of its own that alembic-gate uses the way Alembic's commands do."""


def alembic_internal(owner, name, command):
    """owner.name: a part of Alembic that is not its public API, used as Alembic's own `command`
    uses it (unchanged from Alembic 1.8 to 1.19); a clear error if a release changed it."""
    value = getattr(owner, name, None)
    if value is None:
        raise incompatible(f"{getattr(owner, '__name__', type(owner).__name__)}.{name}", command)
    return value


def incompatible(what, command):
    import alembic

    return AlembicIncompatible(
        f"Alembic {alembic.__version__} has no {what}, which alembic-gate uses as `alembic "
        f"{command}` does (Alembic 1.8 to 1.19 have it); run alembic-gate with one of those "
        "Alembic versions, and report this to alembic-gate")


def per_migration_transaction(context):
    """The transaction Alembic's own run_migrations() opens around each revision
    (begin_transaction(_per_migration=True): not public API, unchanged from Alembic 1.8 to 1.19)."""
    try:
        return context.begin_transaction(_per_migration=True)
    except TypeError:
        raise incompatible("MigrationContext.begin_transaction(_per_migration=...)", "upgrade") from None


def revision_step(revision_map, revision, is_upgrade, command):
    """The step Alembic's own loop runs for one revision: RevisionStep(revision_map, revision,
    is_upgrade) (not public API, unchanged from Alembic 1.8 to 1.19)."""
    from alembic.runtime import migration

    step_class = alembic_internal(migration, "RevisionStep", command)
    try:
        return step_class(revision_map, revision, is_upgrade)
    except TypeError:
        raise incompatible("RevisionStep(revision_map, revision, is_upgrade)", command) from None


def stamp_instead_of_running(**kw):
    """A skipped revision's migration function: Alembic logs "Running stamp_instead_of_running"
    and updates the version table; nothing else happens."""
