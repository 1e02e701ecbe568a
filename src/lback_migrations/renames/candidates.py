"""Rename candidates: what autogenerate drops and adds that may be one object renamed.

A dropped and an added column of one table are a candidate when their types compare equal and
their nullability is the same; a dropped and a created table are one when they have the same
column names, each pair of the same type and nullability. A drop that matches several adds (or
an add that matches several drops) is ambiguous: any question would be a guess, so none is asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alembic.operations import ops

from .records import ColumnRename, Rename, TableRename, qualified
from .revision import RevisionOps, reflected_column, table_columns

if TYPE_CHECKING:
    from sqlalchemy import Column

SameColumn = Callable[["Column[object]", "Column[object]"], bool]
"""Whether a reflected column and a model column have the same type and nullability."""
TypeText = Callable[["Column[object]"], str]
"""The DDL type of a column, for questions: ``VARCHAR(50)``."""
DELETE_FIRST = "delete the revision file this run writes"
"""The first step of stating a rename after a run that kept drop + add: autogenerate writes
nothing on a database behind the head that revision made."""


@dataclass(frozen=True)
class Candidate:
    """A drop and an add that may be a rename.

    :param rename: the rename, if the user accepts it.
    :param summary: ``user.name to user.full_name (VARCHAR(50))``.
    """

    rename: Rename
    summary: str

    @property
    def question(self) -> str:
        """``Did you rename user.name to user.full_name (VARCHAR(50))?``"""
        return f"Did you rename {self.summary}?"


@dataclass(frozen=True)
class Ambiguity:
    """A dropped object that matches several added ones (or the other way round).

    :param olds: the dropped names, qualified.
    :param news: the added names, qualified.
    :param likeness: what makes them alike, for the warning.
    """

    olds: tuple[str, ...]
    news: tuple[str, ...]
    likeness: str


_Group = tuple[tuple[str, ...], tuple[str, ...]]


def _group(pairs: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[_Group]]:
    """Split pairs into the unambiguous ones and groups of pairs that share a side."""
    olds: dict[str, set[str]] = {}
    news: dict[str, set[str]] = {}
    for old, new in pairs:
        olds.setdefault(old, set()).add(new)
        news.setdefault(new, set()).add(old)
    clear = [(old, new) for old, new in pairs if len(olds[old]) == 1 and len(news[new]) == 1]
    groups: list[tuple[set[str], set[str]]] = []
    for old, new in pairs:
        if (old, new) in clear:
            continue
        touched = [g for g in groups if old in g[0] or new in g[1]]
        merged: tuple[set[str], set[str]] = ({old}, {new})
        for group in touched:
            groups.remove(group)
            merged[0].update(group[0])
            merged[1].update(group[1])
        groups.append(merged)
    return clear, [(tuple(sorted(o)), tuple(sorted(n))) for o, n in groups]


def column_candidates(
    revision: RevisionOps, same: SameColumn, type_text: TypeText
) -> tuple[list[Candidate], list[Ambiguity]]:
    """Find column rename candidates, one table at a time."""
    candidates: list[Candidate] = []
    ambiguities: list[Ambiguity] = []
    for container in revision.table_ops():
        schema, table = container.schema, container.table_name
        dropped = {
            op.column_name: reflected_column(op)
            for op in container.ops
            if isinstance(op, ops.DropColumnOp)
        }
        added = {
            op.column.name: op.column for op in container.ops if isinstance(op, ops.AddColumnOp)
        }
        pairs = [
            (old, new)
            for old, reflected in dropped.items()
            for new, target in added.items()
            if same(reflected, target)
        ]
        clear, unclear = _group(pairs)
        for old, new in clear:
            name = qualified(schema, table)
            candidates.append(
                Candidate(
                    ColumnRename(schema, table, old, new, f"the rename of {name}.{old} to {new}"),
                    f"{name}.{old} to {name}.{new} ({type_text(added[new])})",
                )
            )
        ambiguities.extend(
            Ambiguity(
                tuple(qualified(schema, table, old) for old in olds),
                tuple(qualified(schema, table, new) for new in news),
                f"all {type_text(added[news[0]])}, same nullability",
            )
            for olds, news in unclear
        )
    return candidates, ambiguities


def _same_tables(
    dropped: dict[str, Column[object]], created: dict[str, Column[object]], same: SameColumn
) -> bool:
    return dropped.keys() == created.keys() and all(
        same(dropped[name], created[name]) for name in dropped
    )


def table_candidates(
    revision: RevisionOps, same: SameColumn
) -> tuple[list[Candidate], list[Ambiguity]]:
    """Find table rename candidates: tables the revision drops and creates, same columns.

    Autogenerate proposes dropping a table only when the environment lets it see tables the
    model does not define (``lback.only_metadata_tables = false`` and
    ``lback.drop_unknown_tables = true``).
    """
    dropped = {
        (op.schema, op.table_name): table_columns(op.reverse())
        for op in revision.top_level(ops.DropTableOp)
    }
    created = {
        (op.schema, op.table_name): table_columns(op)
        for op in revision.top_level(ops.CreateTableOp)
    }
    pairs = [
        (qualified(*old), qualified(*new))
        for old, old_columns in dropped.items()
        for new, new_columns in created.items()
        if old[0] == new[0] and _same_tables(old_columns, new_columns, same)
    ]
    clear, unclear = _group(pairs)
    by_name = {qualified(*key): key for key in (*dropped, *created)}
    candidates = [
        Candidate(
            TableRename(
                by_name[old][0], by_name[old][1], by_name[new][1], f"the rename of table {old}"
            ),
            f"table {old} to {new}",
        )
        for old, new in clear
    ]
    return candidates, [Ambiguity(olds, news, "same columns") for olds, news in unclear]


def describe_ambiguities(ambiguities: Iterable[Ambiguity]) -> list[str]:
    """One warning line per ambiguity, saying what happens and how to state the rename."""
    return [
        f"{' or '.join(a.olds)} may have been renamed to {' or '.join(a.news)} "
        f"({a.likeness}); not asking, any answer would be a guess: the revision drops and "
        f"adds them. To rename, {DELETE_FIRST}, then state the rename with "
        'info={"renamed_from": ...} or -x rename=OLD:NEW and run again.'
        for a in ambiguities
    ]
