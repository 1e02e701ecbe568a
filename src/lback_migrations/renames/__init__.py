"""Renames as first-class operations of autogenerate.

Autogenerate renders a renamed column or table as drop + add, which loses its data. This package
turns a stated rename (``info={"renamed_from": "old"}`` in the model, ``-x rename=OLD:NEW``) into
``op.alter_column(..., new_column_name=...)`` / ``op.rename_table(...)`` with its downgrade,
and asks about (or warns about) drop + add pairs that look like renames.
See ``docs/renames.rst``.
"""

from __future__ import annotations

from .declared import (
    NOINPUT_X_ARGUMENT,
    RENAME_X_ARGUMENT,
    RENAMED_FROM,
    declared_renames,
    requested_renames,
)
from .directive import rename_directive
from .operations import RenameColumnOp, RenameTableOp
from .records import ColumnRename, Rename, RenameError, TableRename

__all__ = [
    "NOINPUT_X_ARGUMENT",
    "RENAMED_FROM",
    "RENAME_X_ARGUMENT",
    "ColumnRename",
    "Rename",
    "RenameColumnOp",
    "RenameError",
    "RenameTableOp",
    "TableRename",
    "declared_renames",
    "rename_directive",
    "requested_renames",
]
