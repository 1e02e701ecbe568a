"""alembic-utils' comparison, run where it can see the tables of the same revision.

alembic-utils decides what to do with a view, materialized view, trigger or policy by creating
it in the live database, inside a savepoint, and reading back the definition PostgreSQL stores.
Run by itself, before the revision's tables exist, that creation fails (``relation "order"
does not exist``) and so does ``alembic revision --autogenerate`` from an empty database. And
it registers itself in Alembic's global comparator list, which Alembic copies before its own
table comparison, so even a comparison that succeeded would put ``op.create_entity`` above the
``op.create_table`` it needs.

:func:`compare_entities` is the ``lback.entities`` plugin's comparator instead. It runs after
Alembic's table comparison (priority ``LAST``), so its operations follow the tables' in the
upgrade and precede their drops in the downgrade. Inside a savepoint it first gives the
database what the target metadata describes and the database lacks: missing tables, with their
enum types and sequences (``MetaData.create_all`` with ``checkfirst``), and the columns this
revision adds to existing tables (the ``add_column`` operations Alembic has just proposed).
Then it runs alembic-utils' comparison, and rolls the savepoint back: the database is left as
it was. A column that cannot be added there (say ``NOT NULL`` without a default on a table with
rows) is left out; an entity that uses it fails in alembic-utils as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from alembic.operations.ops import AddColumnOp, UpgradeOps
    from alembic.util import PriorityDispatchResult
    from sqlalchemy import MetaData
    from sqlalchemy.engine import Connection


def compare_entities(
    autogen_context: AutogenContext, upgrade_ops: UpgradeOps, schemas: Any
) -> PriorityDispatchResult:
    """Propose the operations the registered alembic-utils entities need, with the revision's
    new tables and columns in place while alembic-utils simulates them (see the module)."""
    from alembic.util import PriorityDispatchResult

    from .entities import registered_comparison

    compare = registered_comparison()
    connection = autogen_context.connection
    if connection is None:
        return PriorityDispatchResult.CONTINUE
    savepoint = connection.begin_nested()
    try:
        _create_what_the_revision_creates(connection, _metadata(autogen_context), upgrade_ops)
        compare(autogen_context, upgrade_ops, schemas)
    finally:
        savepoint.rollback()
    return PriorityDispatchResult.CONTINUE


def _metadata(autogen_context: AutogenContext) -> list[MetaData]:
    from sqlalchemy import MetaData

    target = autogen_context.metadata
    if isinstance(target, MetaData):
        return [target]
    return list(target or ())


def _create_what_the_revision_creates(
    connection: Connection, metadata: list[MetaData], upgrade_ops: UpgradeOps
) -> None:
    for each in metadata:
        each.create_all(connection, checkfirst=True)
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    operations = Operations(MigrationContext.configure(connection))
    for operation in _added_columns(upgrade_ops):
        column = connection.begin_nested()
        try:
            operations.invoke(operation)
        except Exception:  # the entity that needs the column reports it (see the module)
            column.rollback()
        else:
            column.commit()


def _added_columns(upgrade_ops: UpgradeOps) -> Iterator[AddColumnOp]:
    from alembic.operations.ops import AddColumnOp, ModifyTableOps

    for operation in upgrade_ops.ops:
        if isinstance(operation, ModifyTableOps):
            yield from (op for op in operation.ops if isinstance(op, AddColumnOp))
        elif isinstance(operation, AddColumnOp):
            yield operation
