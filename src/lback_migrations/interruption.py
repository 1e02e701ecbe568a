"""What an interrupted ``migrate`` or ``rollback`` left behind, in one line.

After Ctrl-C the user needs three facts: which revision was running, whether its work was
rolled back, and where the version table stands now. The version table is read again from the
database (the run's own connection is gone); whether a running revision's DDL was rolled back
depends on the backend: PostgreSQL runs DDL inside the transaction, MySQL and MariaDB commit
each DDL statement at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

INTERRUPTED_EXIT_CODE = 130
"""The exit code of a command stopped by SIGINT, as a shell reports it (128 + 2)."""


def interruption_report(config: Config, direction: str, completed: Sequence[str]) -> str:
    """One line saying what the interrupted run did and where the database stands.

    :param direction: ``upgrade`` or ``downgrade``.
    :param completed: the revisions whose step completed before the interrupt, in order.
    """
    try:
        current, transactional = _database_state(config)
    except Exception as error:  # the database may be what was interrupted: say so, no more
        return (
            f"interrupted: {direction} stopped after {_list(completed) or 'no step'}; the "
            f"version table could not be read ({type(error).__name__}): run "
            "lback-migrations current"
        )
    running = _running_revision(config, direction, completed, current)
    undone = [revision for revision in completed if revision not in current]
    parts = [f"interrupted: {direction} stopped"]
    parts.append(f" during revision {running}" if running else "")
    if transactional:
        parts.append(", rolled back")
        if undone:
            parts.append(f" with the steps of this run ({_list(undone)})")
    elif running:
        parts.append(
            f"; its statements already run are not rolled back (the database commits DDL at "
            f"once): check {running} by hand"
        )
    parts.append(f"; the version table is at {_list(current) or 'base (empty)'}")
    return "".join(parts)


def _list(revisions: Sequence[str]) -> str:
    return ", ".join(revisions)


def _database_state(config: Config) -> tuple[list[str], bool]:
    from alembic.ddl.impl import DefaultImpl
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, pool

    from .database_url import config_urls
    from .settings import load_settings

    settings = load_settings(config)
    engine = create_engine(config_urls(config).require(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "version_table": settings.version_table,
                    "version_table_schema": settings.version_table_schema,
                },
            )
            heads = list(context.get_current_heads())
            impl: DefaultImpl = context.impl
            return heads, bool(impl.transactional_ddl)
    finally:
        engine.dispose()


def _running_revision(
    config: Config, direction: str, completed: Sequence[str], current: Sequence[str]
) -> str | None:
    """The revision whose step was running: the one after the last completed step (or after
    the version table's, when none completed)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)
    after = completed[-1] if completed else (current[0] if current else None)
    if direction == "downgrade":
        if after is None:
            return None
        down = script.get_revision(after).down_revision if completed else after
        if isinstance(down, (tuple, list)):
            return str(down[0]) if down else None
        return down
    following = [
        revision.revision
        for revision in script.walk_revisions()
        if (after is None and not revision.down_revision)
        or (after is not None and after in _as_tuple(revision.down_revision))
    ]
    return following[0] if following else None


def _as_tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)
