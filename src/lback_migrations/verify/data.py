"""The rows of the shadow database, read back and compared by primary key.

:func:`read_data` reads every table; :func:`compare_data` says which columns lost their values
(a dropped column, a column re-added empty, values set to ``NULL``), which columns changed
values, and which tables lost rows, between two readings. Rows are matched by primary key; a
table without one is compared by its number of rows only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from .snapshot import SchemaSnapshot

Row = Mapping[str, Any]


@dataclass(frozen=True)
class TableData:
    """The rows of one table.

    :param key: the primary key columns (empty: rows are not matched, only counted).
    :param rows: each row by its primary key values (by position when there is no key).
    """

    key: tuple[str, ...]
    rows: Mapping[tuple[Any, ...], Row]


@dataclass(frozen=True)
class DataChanges:
    """What changed in the data between two readings.

    :param lost: ``table.column`` whose values are gone (column dropped, emptied, set NULL).
    :param changed: ``table.column`` whose values are different.
    :param rows_lost: table to the number of rows missing afterwards.
    """

    lost: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    rows_lost: Mapping[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.lost or self.changed or self.rows_lost)


def read_data(connection: sa.Connection, snapshot: SchemaSnapshot) -> dict[str, TableData]:
    """Every row of every table of ``snapshot``."""
    quote = connection.dialect.identifier_preparer.quote
    found: dict[str, TableData] = {}
    for table in snapshot.tables:
        result = connection.exec_driver_sql(f"SELECT * FROM {quote(table)}")
        names = list(result.keys())
        key = tuple(snapshot.primary_keys.get(table, ()))
        rows: dict[tuple[Any, ...], Row] = {}
        for position, values in enumerate(result):
            row = dict(zip(names, values, strict=True))
            rows[tuple(row[column] for column in key) if key else (position,)] = row
        found[table] = TableData(key, rows)
    connection.commit()
    return found


def compare_data(before: Mapping[str, TableData], after: Mapping[str, TableData]) -> DataChanges:
    """What ``after`` lost or changed of ``before``'s values; new tables and columns are not
    losses."""
    lost: list[str] = []
    changed: list[str] = []
    rows_lost: dict[str, int] = {}
    for table, old in before.items():
        new = after.get(table)
        if new is None:
            if old.rows:
                rows_lost[table] = len(old.rows)
                lost += [f"{table}.{column}" for column in _filled_columns(old)]
            continue
        missing = (
            len(old.rows) - len(new.rows)
            if not old.key
            else sum(1 for key in old.rows if key not in new.rows)
        )
        if missing > 0:
            rows_lost[table] = missing
        if not old.key:
            continue
        new_columns = _columns(new)
        for column in _filled_columns(old):
            name = f"{table}.{column}"
            if new.rows and column not in new_columns:
                lost.append(name)
                continue
            verdict = _column_change(old, new, column)
            if verdict == "lost":
                lost.append(name)
            elif verdict == "changed":
                changed.append(name)
    return DataChanges(tuple(lost), tuple(changed), rows_lost)


def unchanged_since(
    before: Mapping[str, TableData],
    after_upgrade: Mapping[str, TableData],
    before_downgrade: Mapping[str, TableData],
) -> dict[str, TableData]:
    """``before`` (the data before a revision's upgrade) without what other revisions lost or
    changed between its upgrade (``after_upgrade``) and its downgrade (``before_downgrade``):
    the values its downgrade can be judged by. A row gone in between is left out, a value
    lost or changed in between is set to ``None`` (nothing to lose)."""
    kept: dict[str, TableData] = {}
    for table, old in before.items():
        upgraded, current = after_upgrade.get(table), before_downgrade.get(table)
        if upgraded is None:  # the upgrade dropped it: nothing else could touch it
            kept[table] = old
            continue
        present = current.rows if current is not None else {}
        if not old.key:
            later_lost = max(0, len(upgraded.rows) - len(present))
            keys = list(old.rows)[: max(0, len(old.rows) - later_lost)]
            kept[table] = TableData(old.key, {key: old.rows[key] for key in keys})
            continue
        rows: dict[tuple[Any, ...], Row] = {}
        for key, row in old.rows.items():
            then, now = upgraded.rows.get(key), present.get(key)
            if then is None:
                rows[key] = row
            elif now is not None:
                rows[key] = {
                    column: None if column in then and then[column] != now.get(column) else value
                    for column, value in row.items()
                }
        kept[table] = TableData(old.key, rows)
    return kept


def _columns(data: TableData) -> set[str]:
    return set(next(iter(data.rows.values()), {}))


def _filled_columns(data: TableData) -> list[str]:
    columns: dict[str, None] = {}
    for row in data.rows.values():
        for column, value in row.items():
            if value is not None:
                columns[column] = None
    return list(columns)


def _column_change(old: TableData, new: TableData, column: str) -> str | None:
    verdict = None
    for key, row in old.rows.items():
        value = row.get(column)
        counterpart = new.rows.get(key)
        if value is None or counterpart is None:
            continue
        if column not in counterpart or counterpart[column] is None:
            return "lost"
        if counterpart[column] != value:
            verdict = "changed"
    return verdict
