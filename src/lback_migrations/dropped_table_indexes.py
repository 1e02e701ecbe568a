"""Revisions that drop a table do not drop its indexes first.

For a table it drops, autogenerate writes ``op.drop_index(...)`` for each index and then
``op.drop_table(...)``. Dropping the table drops its indexes on every backend, and MariaDB /
MySQL refuse to drop an index a foreign key needs (``Cannot drop index ...: needed in a foreign
key constraint``), so the downgrade of an initial revision fails there. This
``process_revision_directives`` step removes the ``drop_index`` operations of tables the same
revision drops, in the upgrade and in the downgrade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic.operations import ops

if TYPE_CHECKING:
    from alembic.runtime.migration import MigrationContext
    from alembic.script.revision import _GetRevArg


def _without_indexes_of_dropped_tables(
    operations: list[ops.MigrateOperation],
) -> list[ops.MigrateOperation]:
    dropped = {
        (operation.schema, operation.table_name)
        for operation in operations
        if isinstance(operation, ops.DropTableOp)
    }
    kept: list[ops.MigrateOperation] = []
    for operation in operations:
        # autogenerate groups a table's index operations in a ModifyTableOps
        if (
            isinstance(operation, ops.ModifyTableOps)
            and (
                operation.schema,
                operation.table_name,
            )
            in dropped
        ):
            operation.ops = [
                item for item in operation.ops if not isinstance(item, ops.DropIndexOp)
            ]
            if not operation.ops:
                continue
        kept.append(operation)
    return kept


def skip_indexes_of_dropped_tables(
    context: MigrationContext, revision: _GetRevArg, directives: list[ops.MigrationScript]
) -> None:
    """Remove ``drop_index`` operations made redundant by a ``drop_table`` in the same list."""
    for script in directives:
        for operation_list in (*script.upgrade_ops_list, *script.downgrade_ops_list):
            operation_list.ops = _without_indexes_of_dropped_tables(operation_list.ops)
