"""Rename operations that know their own downgrade.

Alembic's :class:`~alembic.operations.ops.AlterColumnOp` does not reverse a new column name,
and autogenerate has no renderer for :class:`~alembic.operations.ops.RenameTableOp`; these
subclasses add both, through Alembic's public ``reverse()`` and ``renderers`` extension points.

Each rename is rendered under a comment naming where it was stated
(``# lback: stated rename: column author.full_name: info["renamed_from"]='name'``): the linter
reads it to tell a rename the user asked for (a reminder, LB305) from one written by hand
(LB301, LB302).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alembic.autogenerate import renderers
from alembic.operations import ops

from ..rename_marker import MARKER

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from sqlalchemy import Column


class RenameColumnOp(ops.AlterColumnOp):
    """``op.alter_column(table, old, new_column_name=new, ...)`` whose reverse renames back."""

    def to_diff_tuple(self) -> Any:
        """Alembic's diff entries of the other changes, after a ``modify_name`` entry."""
        name_change = (
            "modify_name",
            self.schema,
            self.table_name,
            self.column_name,
            {"existing_type": self.existing_type, "existing_nullable": self.existing_nullable},
            self.column_name,
            self.modify_name,
        )
        return [name_change, *super().to_diff_tuple()]

    origin: str = ""
    """Where the rename was stated, for the comment rendered above it."""

    def reverse(self) -> RenameColumnOp:
        reverse = super().reverse()
        assert isinstance(reverse, RenameColumnOp)
        assert self.modify_name is not None
        reverse.column_name, reverse.modify_name = self.modify_name, self.column_name
        reverse.origin = self.origin
        return reverse

    @classmethod
    def between(
        cls,
        table_name: str,
        reflected: Column[object],
        target: Column[object],
        *,
        schema: str | None,
        types_differ: bool,
        origin: str,
    ) -> RenameColumnOp:
        """Rename the database column ``reflected`` into the model column ``target``.

        The ``existing_*`` arguments come from the model column, as Alembic's own comparison
        does; a type or nullability that changes with the name is changed in the same step.

        :param types_differ: whether the two columns' types compare as different.
        :param origin: where the rename was stated.
        """
        op = cls(
            table_name,
            reflected.name,
            schema=schema,
            modify_name=target.name,
            existing_type=reflected.type if types_differ else target.type,
            modify_type=target.type if types_differ else None,
            existing_nullable=reflected.nullable,
            modify_nullable=target.nullable if target.nullable != reflected.nullable else None,
            existing_server_default=target.server_default or False,
            existing_comment=target.comment,
        )
        op.origin = origin
        return op


class RenameTableOp(ops.RenameTableOp):
    """``op.rename_table(old, new)`` whose reverse renames back.

    :param origin: where the rename was stated, for the comment rendered above it.
    """

    def __init__(
        self, old_table_name: str, new_table_name: str, *, schema: str | None, origin: str
    ) -> None:
        super().__init__(old_table_name, new_table_name, schema=schema)
        self.origin = origin

    def to_diff_tuple(self) -> tuple[str, str | None, str, str]:
        return ("rename_table", self.schema, self.table_name, self.new_table_name)

    def reverse(self) -> RenameTableOp:
        return RenameTableOp(
            self.new_table_name, self.table_name, schema=self.schema, origin=self.origin
        )


class RenameIndexOp(ops.MigrateOperation):
    """``ALTER TABLE ... RENAME INDEX old TO new`` on MySQL and MariaDB, whose reverse renames back.

    MySQL names the index it creates for a foreign key after the column; once the column is
    renamed, autogenerate no longer recognises that index as implicit and proposes dropping it.
    Alembic has no operation for this, so it is rendered as ``op.execute``.
    """

    def __init__(self, table_name: str, old: str, new: str, *, schema: str | None = None) -> None:
        self.table_name = table_name
        self.old = old
        self.new = new
        self.schema = schema

    def to_diff_tuple(self) -> tuple[str, str | None, str, str, str]:
        return ("rename_index", self.schema, self.table_name, self.old, self.new)

    def reverse(self) -> RenameIndexOp:
        return RenameIndexOp(self.table_name, self.new, self.old, schema=self.schema)


@renderers.dispatch_for(RenameIndexOp)
def _render_rename_index(autogen_context: AutogenContext, op: RenameIndexOp) -> str:
    prefix = autogen_context.opts["alembic_module_prefix"] or ""
    quote = autogen_context.dialect.identifier_preparer.quote if autogen_context.dialect else repr
    table = quote(op.table_name)
    if op.schema:
        table = f"{quote(op.schema)}.{table}"
    sql = f"ALTER TABLE {table} RENAME INDEX {quote(op.old)} TO {quote(op.new)}"
    return f"{prefix}execute({sql!r})"


def _stated(origin: str) -> str:
    return f"{MARKER} {' '.join(origin.split())}"


@renderers.dispatch_for(RenameColumnOp)
def _render_rename_column(autogen_context: AutogenContext, op: RenameColumnOp) -> list[str]:
    alter_column = renderers.dispatch(ops.AlterColumnOp)
    return [_stated(op.origin), alter_column(autogen_context, op)]


@renderers.dispatch_for(RenameTableOp)
def _render_rename_table(autogen_context: AutogenContext, op: RenameTableOp) -> list[str]:
    prefix = autogen_context.opts["alembic_module_prefix"] or ""
    schema = f", schema={op.schema!r}" if op.schema else ""
    rename = f"{prefix}rename_table({op.table_name!r}, {op.new_table_name!r}{schema})"
    return [_stated(op.origin), rename]
