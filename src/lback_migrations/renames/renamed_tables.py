"""What else changes in a table the same revision renames.

Autogenerate compares a model table with the database table of the same name, so a renamed
table looks created, and its column changes (a column renamed with it, one added) are not
compared at all. Here the database's old table is compared with the model table under the old
name, through Alembic's own comparison and the run's comparison options, and the operations
found are addressed to the new name: one autogenerate run writes the table rename and the
changes in it, as Django's makemigrations does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from alembic.autogenerate import produce_migrations
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData

from .records import TableRename

if TYPE_CHECKING:
    from sqlalchemy import Table

RenamedTableChanges = Callable[[TableRename], "ops.ModifyTableOps | None"]
"""The operations on a renamed table besides its rename, or ``None`` when there are none."""

_COMPARISON_OPTIONS = (
    "compare_type",
    "compare_server_default",
    "include_object",
    "include_schemas",
    "autogenerate_plugins",
)


def _only_table(schema: str | None, name: str) -> Callable[..., bool]:
    def include_name(found: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        if type_ == "schema":
            return found == schema
        if type_ == "table":
            return found == name and parent_names.get("schema_name") == schema
        return True

    return include_name


def _readdressed(container: ops.ModifyTableOps, table_name: str) -> ops.ModifyTableOps:
    for op in container.ops:
        if hasattr(op, "table_name"):
            op.table_name = table_name
    container.table_name = table_name
    return container


def renamed_table_changes(
    context: MigrationContext, metadata: Sequence[MetaData]
) -> RenamedTableChanges:
    """Build the function that compares a renamed table's old database table with its model.

    :param context: the migration context of the autogenerate run, whose connection and
        comparison options are used.
    :param metadata: the target MetaData objects holding the renamed tables.
    """
    tables: dict[tuple[str | None, str], Table] = {
        (table.schema, table.name): table for item in metadata for table in item.tables.values()
    }

    def changes(rename: TableRename) -> ops.ModifyTableOps | None:
        model = tables.get((rename.schema, rename.new))
        if model is None:
            return None
        # Every other table comes along, so that foreign keys of the old table resolve.
        compared = MetaData(naming_convention=model.metadata.naming_convention)
        for table in tables.values():
            table.to_metadata(compared)
        model.to_metadata(compared, name=rename.old)
        options = {key: context.opts[key] for key in _COMPARISON_OPTIONS if key in context.opts}
        options["include_name"] = _only_table(rename.schema, rename.old)
        options["target_metadata"] = compared
        comparison = MigrationContext.configure(connection=context.connection, opts=options)
        script = produce_migrations(comparison, compared)
        assert script.upgrade_ops is not None
        # The other tables, not reflected, come out as created: only the old table's own
        # changes are wanted.
        found = [
            op
            for op in script.upgrade_ops.ops
            if isinstance(op, ops.ModifyTableOps)
            and (op.schema, op.table_name) == (rename.schema, rename.old)
        ]
        return _readdressed(found[0], rename.new) if found else None

    return changes
