"""The SQL one revision runs, rendered offline for a dialect.

Alembic's ``--sql`` mode renders a whole range through ``env.py``; here one revision's
``upgrade()`` or ``downgrade()`` runs against an offline
:class:`~alembic.runtime.migration.MigrationContext` of the wanted dialect, through Alembic's
public :meth:`Operations.context <alembic.operations.Operations.context>`, so that
``sqlmigrate``, ``plan --sql`` and the failure report of a half-applied revision show exactly
its statements and nothing of the version table.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

if TYPE_CHECKING:
    from alembic.script import Script

STATEMENT_END = ";\n"


def revision_sql(script: Script, direction: str, dialect_name: str) -> list[str]:
    """The statements of ``script``'s ``upgrade`` or ``downgrade`` for ``dialect_name``.

    :param direction: ``upgrade`` or ``downgrade``.
    :raises Exception: whatever the revision raises when it cannot run offline (a batch
        operation on SQLite needs the live table, a data migration may read rows).
    """
    buffer = io.StringIO()
    context = MigrationContext.configure(
        dialect_name=dialect_name,
        opts={"as_sql": True, "output_buffer": buffer, "literal_binds": True},
    )
    with Operations.context(context):
        getattr(script.module, direction)()
    return [chunk.strip() for chunk in buffer.getvalue().split(STATEMENT_END) if chunk.strip()]
