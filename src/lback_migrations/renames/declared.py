"""Renames the user states instead of letting autogenerate guess: ``info`` hints in the
models and ``-x rename=OLD:NEW`` arguments on the command line."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from .records import ColumnRename, Rename, RenameError, TableRename, qualified

if TYPE_CHECKING:
    from sqlalchemy import MetaData

RENAMED_FROM = "renamed_from"
"""The ``info`` key of a model column or table that names what it was called before."""
RENAME_X_ARGUMENT = "rename"
"""``-x rename=user.name:full_name,account:user`` accepts renames without a question."""
NOINPUT_X_ARGUMENT = "noinput"
"""``-x noinput=true`` never asks, even on a terminal."""


def _hint(info: dict[object, object], where: str) -> str | None:
    value = info.get(RENAMED_FROM)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RenameError(
            f'{where}: info["{RENAMED_FROM}"]={value!r}',
            "the hint must be the previous name, a non-empty string",
        )
    return value.strip()


def declared_renames(metadata: Iterable[MetaData]) -> list[Rename]:
    """Read the ``info["renamed_from"]`` hints of every table and column in ``metadata``.

    A table declares ``__table_args__ = {"info": {"renamed_from": "old_table"}}``, a column
    ``mapped_column(..., info={"renamed_from": "old_name"})``.

    :returns: the renames, tables first.
    :raises RenameError: when a hint is not a non-empty string.
    """
    tables: list[Rename] = []
    columns: list[Rename] = []
    for collection in metadata:
        for table in collection.tables.values():
            where = f"table {table.fullname}"
            old_table = _hint(table.info, where)
            if old_table is not None:
                origin = f'{where}: info["{RENAMED_FROM}"]={old_table!r}'
                tables.append(TableRename(table.schema, old_table, table.name, origin))
            for column in table.columns:
                where = f"column {table.fullname}.{column.name}"
                old_column = _hint(column.info, where)
                if old_column is not None:
                    origin = f'{where}: info["{RENAMED_FROM}"]={old_column!r}'
                    columns.append(
                        ColumnRename(table.schema, table.name, old_column, column.name, origin)
                    )
    return tables + columns


def _parse_one(item: str, schemas: Collection[str]) -> Rename:
    origin = f"-x {RENAME_X_ARGUMENT}={item}"
    separator = ":" if ":" in item else "="
    old, found, new = (part.strip() for part in item.partition(separator))
    parts = old.split(".")
    if not found or not new or "." in new or not all(parts) or len(parts) > 3:
        raise RenameError(
            origin,
            "write table.column:new_name for a column or table:new_name for a table "
            "(schema-qualified: schema.table.column:new_name, schema.table:new_name)",
        )
    if len(parts) == 1:
        return TableRename(None, parts[0], new, origin, requested=True)
    if len(parts) == 2 and parts[0] in schemas:
        return TableRename(parts[0], parts[1], new, origin, requested=True)
    if len(parts) == 2:
        return ColumnRename(None, parts[0], parts[1], new, origin, requested=True)
    return ColumnRename(parts[0], parts[1], parts[2], new, origin, requested=True)


def requested_renames(x_arguments: Iterable[str], schemas: Collection[str] = ()) -> list[Rename]:
    """Parse the ``rename`` entries of Alembic's ``-x`` arguments.

    Each value holds one or more comma-separated ``OLD:NEW`` pairs (``OLD=NEW`` also works);
    ``-x rename=...`` may be repeated. ``OLD`` is ``table.column`` or ``table``; a first part that
    is one of ``schemas`` makes ``schema.table`` a table.

    :param x_arguments: the raw ``-x`` values, ``key=value`` each.
    :param schemas: the schemas compared besides the default one (``lback.schemas``).
    :raises RenameError: naming the malformed argument.
    """
    renames: list[Rename] = []
    for argument in x_arguments:
        key, _, value = argument.partition("=")
        if key.strip() != RENAME_X_ARGUMENT:
            continue
        renames.extend(_parse_one(item.strip(), schemas) for item in value.split(",") if item)
    return renames


def describe(rename: Rename) -> str:
    """The ``-x rename`` value that accepts ``rename``."""
    if isinstance(rename, TableRename):
        return f"{RENAME_X_ARGUMENT}={qualified(rename.schema, rename.old)}:{rename.new}"
    return f"{RENAME_X_ARGUMENT}={qualified(rename.schema, rename.table, rename.old)}:{rename.new}"
