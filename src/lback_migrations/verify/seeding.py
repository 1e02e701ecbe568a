"""Rows for every table of the shadow database, generated with hypothesis.

Each column's values come from a hypothesis strategy chosen by its reflected type (integers in
the type's range, text within the length, decimals within precision and scale, dates, JSON,
...). The rows respect the schema: unique values for the primary key and every unique
constraint or index, foreign key values taken from the rows already in the referred table
(parents are seeded first), a value for every ``NOT NULL`` column. Integer keys the database
numbers itself are left to it. A row the database still refuses (a check constraint, a trigger)
is skipped and counted; a table with a ``NOT NULL`` column of a type no strategy covers gets no
rows, and is counted too. Hypothesis is used rather than hand-written generators because its
strategies already know the edges of every value type and keep lists unique by a key.

Generation is derandomized: the same schema gets the same rows on every run.
"""

from __future__ import annotations

import datetime
import decimal
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..errors import LbackError

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

_ALPHABET = string.ascii_lowercase + string.digits
_TEXT_LIMIT = 24
_INTEGER_RANGES = (("TINYINT", 127), ("SMALLINT", 32767), ("MEDIUMINT", 8388607))
_INTEGER_LIMIT = 2**31 - 1


class SeedingUnavailable(LbackError):
    """Hypothesis, which generates the rows, is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "verify: generating rows needs hypothesis; "
            "install lback-migrations[verify], or pass --no-data"
        )


@dataclass(frozen=True)
class SeedResult:
    """Rows inserted and refused, per table."""

    inserted: Mapping[str, int]
    refused: Mapping[str, int]


def seed(connection: sa.Connection, wanted: Mapping[str, int]) -> SeedResult:
    """Insert ``wanted[table]`` generated rows into each table, parents first, and commit.

    :raises SeedingUnavailable: when hypothesis is not installed.
    """
    try:
        import hypothesis  # noqa: F401
    except ImportError as error:
        raise SeedingUnavailable from error
    metadata = sa.MetaData()
    metadata.reflect(bind=connection, only=_with_parents(connection, wanted))
    inserted: dict[str, int] = {}
    refused: dict[str, int] = {}
    for table in metadata.sorted_tables:
        count = wanted.get(table.name, 0)
        if count <= 0:
            continue
        rows = _rows(connection, table, count)
        done = _insert(connection, table, rows)
        inserted[table.name] = done
        refused[table.name] = count - done
    connection.commit()
    return SeedResult(inserted, refused)


def _with_parents(connection: sa.Connection, wanted: Mapping[str, int]) -> list[str]:
    inspector = sa.inspect(connection)
    names = set(wanted)
    pending = list(names)
    while pending:
        for fk in inspector.get_foreign_keys(pending.pop()):
            parent = fk.get("referred_table")
            if parent and fk.get("referred_schema") is None and parent not in names:
                names.add(parent)
                pending.append(parent)
    return sorted(names)


def _draw(strategy: SearchStrategy[Any]) -> Any:
    """One value of ``strategy``: a single derandomized example, shrinking switched off."""
    from hypothesis import HealthCheck, Phase, given, settings

    drawn: list[Any] = []

    @settings(
        max_examples=1,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def keep(value: Any) -> None:
        drawn.append(value)

    keep()
    return drawn[-1]


def value_strategy(type_: sa.types.TypeEngine[Any]) -> SearchStrategy[Any] | None:
    """The strategy for a column of ``type_``; ``None`` for a type none covers."""
    from hypothesis import strategies as st

    if isinstance(type_, sa.Boolean):
        return st.booleans()
    if isinstance(type_, sa.Enum):
        return st.sampled_from(list(type_.enums)) if type_.enums else None
    if isinstance(type_, sa.Integer):
        name = type(type_).__name__.upper()
        limit = next((top for prefix, top in _INTEGER_RANGES if name.startswith(prefix)), None)
        return st.integers(1, limit or _INTEGER_LIMIT)
    if isinstance(type_, sa.Float):
        return st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=32)
    if isinstance(type_, sa.Numeric):
        scale = type_.scale or 0
        whole = (type_.precision or 10) - scale
        top = decimal.Decimal(10) ** min(whole, 12) - 1
        return st.decimals(0, top, places=scale, allow_nan=False, allow_infinity=False)
    if isinstance(type_, sa.String):
        length = min(type_.length or _TEXT_LIMIT, _TEXT_LIMIT)
        return st.text(_ALPHABET, min_size=1, max_size=length)
    if isinstance(type_, sa.DateTime):
        return st.datetimes(datetime.datetime(2000, 1, 1), datetime.datetime(2037, 12, 31)).map(
            lambda moment: moment.replace(microsecond=0)
        )
    if isinstance(type_, sa.Date):
        return st.dates(datetime.date(2000, 1, 1), datetime.date(2037, 12, 31))
    if isinstance(type_, sa.Time):
        return st.times().map(lambda moment: moment.replace(microsecond=0))
    if isinstance(type_, sa.Interval):
        return st.timedeltas(datetime.timedelta(0), datetime.timedelta(days=999))
    if isinstance(type_, sa.LargeBinary):
        return st.binary(min_size=1, max_size=_TEXT_LIMIT)
    if isinstance(type_, sa.JSON):
        return st.dictionaries(st.text(_ALPHABET, min_size=1, max_size=8), st.integers(0, 99))
    if isinstance(type_, sa.Uuid):
        return st.uuids()
    return None


def _numbered_by_database(
    connection: sa.Connection, table: sa.Table, column: sa.Column[Any]
) -> bool:
    """A single-column integer key the database numbers: SQLite's rowid, a serial, an identity
    or an ``AUTO_INCREMENT`` column (explicit values would leave its sequence behind)."""
    if list(table.primary_key.columns) != [column] or not isinstance(column.type, sa.Integer):
        return False
    if connection.dialect.name == "sqlite":
        return True
    return (
        column.autoincrement is True
        or column.server_default is not None
        or column.identity is not None
    )


def _rows(connection: sa.Connection, table: sa.Table, count: int) -> list[dict[str, Any]]:
    from hypothesis import strategies as st

    by_foreign_key: list[tuple[tuple[str, ...], SearchStrategy[Any]]] = []
    covered: set[str] = set()
    for fk in table.foreign_key_constraints:
        names = tuple(column.name for column in fk.columns)
        keys = _parent_keys(connection, fk)
        if keys:
            by_foreign_key.append((names, st.sampled_from(keys)))
        elif all(column.nullable for column in fk.columns):
            by_foreign_key.append((names, st.just((None,) * len(names))))
        else:
            return []
        covered.update(names)
    plain: dict[str, SearchStrategy[Any]] = {}
    for column in table.columns:
        if column.name in covered or column.computed is not None:
            continue
        if _numbered_by_database(connection, table, column):
            continue
        strategy = value_strategy(column.type)
        if strategy is None:
            if not column.nullable and column.server_default is None:
                return []
            continue
        plain[column.name] = strategy
    row = st.tuples(st.fixed_dictionaries(plain), *(strategy for _, strategy in by_foreign_key))
    keyed = st.builds(_merge, row, st.just(tuple(names for names, _ in by_foreign_key)))
    unique = [key for key in _unique_keys(table) if set(key) <= set(plain) | covered]
    by: tuple[Callable[[dict[str, Any]], Any], ...] = tuple(_key_of(key) for key in unique)
    try:
        return list(_draw(st.lists(keyed, min_size=count, max_size=count, unique_by=by or None)))
    except Exception:  # a key with fewer distinct values than rows (a unique boolean): fewer
        return list(_draw(st.lists(keyed, min_size=1, max_size=count, unique_by=by or None)))


def _merge(row: tuple[Any, ...], groups: tuple[tuple[str, ...], ...]) -> dict[str, Any]:
    merged = dict(row[0])
    for names, values in zip(groups, row[1:], strict=True):
        merged.update(zip(names, values, strict=True))
    return merged


def _key_of(columns: Sequence[str]) -> Callable[[dict[str, Any]], Any]:
    def key(row: dict[str, Any]) -> Any:
        return tuple(row.get(column) for column in columns)

    return key


def _unique_keys(table: sa.Table) -> list[tuple[str, ...]]:
    keys = [tuple(column.name for column in table.primary_key.columns)]
    keys += [
        tuple(column.name for column in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, sa.UniqueConstraint)
    ]
    keys += [
        tuple(column.name for column in index.columns)
        for index in table.indexes
        if index.unique and index.columns
    ]
    return [key for key in keys if key]


def _parent_keys(connection: sa.Connection, fk: sa.ForeignKeyConstraint) -> list[tuple[Any, ...]]:
    referred = [element.column for element in fk.elements]
    query = sa.select(*referred).distinct().limit(200)
    return [tuple(row) for row in connection.execute(query) if None not in tuple(row)]


def _insert(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> int:
    """Insert what the database accepts; on PostgreSQL each row in a savepoint, since a refused
    row aborts the whole transaction there (SQLite and MariaDB undo only the statement)."""
    if not rows:
        return 0
    statement = table.insert()
    savepoints = connection.dialect.name == "postgresql"
    if savepoints:
        try:
            with connection.begin_nested():
                connection.execute(statement, rows)
            return len(rows)
        except sa.exc.DBAPIError:
            pass
    done = 0
    for row in rows:
        try:
            if savepoints:
                with connection.begin_nested():
                    connection.execute(statement, row)
            else:
                connection.execute(statement, row)
            done += 1
        except sa.exc.DBAPIError:
            continue
    return done
