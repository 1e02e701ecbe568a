"""Running a piece of work inside the project's own ``env.py``, as ``alembic current`` does.

The work gets the :class:`~alembic.runtime.migration.MigrationContext` that ``env.py``
configured: the project's connection (sync or async template, ``lback.url_env``, a connection
passed in ``config.attributes``), version table and schema. No migration runs and Alembic
creates no version table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext


def run_in_environment(config: Config, work: Callable[[MigrationContext], None]) -> None:
    """Run ``work`` with the migration context of ``config``'s ``env.py``, online.

    :raises alembic.util.CommandError: when ``env.py`` fails (no database, bad options).
    """
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)

    def run(rev: Any, context: MigrationContext) -> list[Any]:
        work(context)
        return []

    with EnvironmentContext(config, script, fn=run, as_sql=False, dont_mutate=True):
        script.run_env()


def applied_heads(config: Config) -> tuple[str, ...]:
    """The revisions the version table of the configured database holds."""
    found: list[str] = []
    run_in_environment(config, lambda context: found.extend(context.get_current_heads()))
    return tuple(found)
