"""What a revision renames: the records every other part of :mod:`lback_migrations.renames`
passes around, and the error raised when a requested rename cannot be made."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import LbackError


def qualified(schema: str | None, *names: str) -> str:
    """Join a schema (when there is one) and names with dots: ``audit.user.name``."""
    return ".".join(name for name in (schema, *names) if name)


@dataclass(frozen=True)
class ColumnRename:
    """Column ``old`` of ``table`` is now called ``new``.

    :param table: the table's name in the model (its name after any table rename).
    :param origin: where the rename was asked for, for messages (``info["renamed_from"]`` of
        ``user.full_name``, ``-x rename=...``, an answer).
    :param requested: asked for on the command line: a rename the revision cannot make is an
        error even when the database already has the new name.
    """

    schema: str | None
    table: str
    old: str
    new: str
    origin: str = ""
    requested: bool = False

    def __str__(self) -> str:
        return f"{qualified(self.schema, self.table, self.old)} -> {self.new}"


@dataclass(frozen=True)
class TableRename:
    """Table ``old`` is now called ``new``, in the same schema."""

    schema: str | None
    old: str
    new: str
    origin: str = ""
    requested: bool = False

    def __str__(self) -> str:
        return f"{qualified(self.schema, self.old)} -> {self.new}"


Rename = ColumnRename | TableRename
"""Either kind of rename."""


class RenameError(LbackError):
    """A rename was asked for (by a model hint or ``-x rename``) that the database cannot make.

    :param origin: where it was asked for, so the user knows what to fix.
    :param problem: what is missing, in one sentence.
    """

    def __init__(self, origin: str, problem: str) -> None:
        self.origin = origin
        self.problem = problem
        super().__init__(f"{origin}: {problem}")
