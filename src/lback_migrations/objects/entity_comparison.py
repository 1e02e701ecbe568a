"""alembic-utils' comparison, run where it can see the tables of the same revision.

alembic-utils decides what to do with a view, materialized view, trigger or policy by creating
it in the live database, inside a savepoint, and reading back the definition PostgreSQL stores.
Run by itself, before the revision's tables exist, that creation fails (``relation "order"
does not exist``) and so does ``alembic revision --autogenerate`` from an empty database. And
it registers itself in Alembic's global comparator list, which Alembic copies before its own
table comparison, so even a comparison that succeeded would put ``op.create_entity`` above the
``op.create_table`` it needs.

:func:`compare_entities` is the ``lback.entities`` plugin's comparator instead. It runs after
Alembic's table comparison (priority ``LAST``), so the entities it creates or replaces follow
the tables' operations in the upgrade and precede their drops in the downgrade; the entities it
drops are moved to the top of the upgrade instead (and so come last in the downgrade), since a
table, column, type or sequence the revision drops cannot go while a view or trigger uses it.
Inside a savepoint it first gives the database what the target metadata describes and the
database lacks: missing tables, with their enum types and sequences (``MetaData.create_all``
with ``checkfirst``), and the columns this revision adds to existing tables (the ``add_column``
operations Alembic has just proposed). Then it runs alembic-utils' comparison, and rolls the
savepoint back: the database is left as it was. Alembic names the default schema ``None``;
alembic-utils is given its name, so that it looks for entities to drop there too. A column that
cannot be added there (say ``NOT NULL`` without a default on a table with rows) is left out; an
entity that uses it fails in alembic-utils as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from alembic.operations.ops import AddColumnOp, UpgradeOps
    from alembic.util import PriorityDispatchResult
    from sqlalchemy import MetaData
    from sqlalchemy.engine import Connection, Dialect


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
    proposed = len(upgrade_ops.ops)
    savepoint = connection.begin_nested()
    try:
        _create_what_the_revision_creates(connection, _metadata(autogen_context), upgrade_ops)
        compare(autogen_context, upgrade_ops, _named(schemas, connection.dialect))
    finally:
        savepoint.rollback()
    _drops_first(upgrade_ops, proposed)
    return PriorityDispatchResult.CONTINUE


def _named(schemas: Any, dialect: Dialect) -> list[str | None]:
    """Alembic's schemas with the default one by name: alembic-utils looks for entities to drop
    only in named schemas, so without this a database view in ``public`` is never dropped once
    no entity of the list is in ``public``."""
    return [dialect.default_schema_name if schema is None else schema for schema in schemas]


def _drops_first(upgrade_ops: UpgradeOps, proposed: int) -> None:
    """Move the entity drops alembic-utils appended after the first ``proposed`` operations to
    the top, in their order: what they use may be dropped by the operations before them."""
    from alembic_utils.reversible_op import DropOp

    added = upgrade_ops.ops[proposed:]
    drops = [operation for operation in added if isinstance(operation, DropOp)]
    rest = [operation for operation in added if not isinstance(operation, DropOp)]
    upgrade_ops.ops[:] = [*drops, *upgrade_ops.ops[:proposed], *rest]


def _metadata(autogen_context: AutogenContext) -> list[MetaData]:
    from alembic.util import to_list  # as Alembic reads its own target metadata

    metadata: list[MetaData] = to_list(autogen_context.metadata, [])
    return metadata


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
