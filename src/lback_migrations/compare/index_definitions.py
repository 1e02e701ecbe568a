"""Indexes whose elements are SQL text: the database's definition against the model's DDL.

An index on ``text("name DESC")`` or ``text("lower(name)")`` reaches Alembic as text it
cannot match with what SQLite and MariaDB reflect (a column name, with the ordering and the
expression lost), so Alembic proposes to drop the index and create it again on every run
although the database holds exactly that index. After Alembic's index comparison this
comparator takes each such pair (a drop and a create of one index name on one table) and asks
the database what the index really is: SQLite keeps the ``CREATE INDEX`` statement as written
(``sqlite_master.sql``), MariaDB lists every element with its ordering and prefix length
(``information_schema.STATISTICS``). When that definition is the model's ``CREATE INDEX``
compiled for the dialect, element by element (quotes, case outside string literals, spacing
and ``ASC`` aside), the pair is withdrawn. PostgreSQL reflects expressions and orderings, and
Alembic compares them itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic.operations import ops
from alembic.util import PriorityDispatchResult
from sqlalchemy import text
from sqlalchemy.schema import CreateIndex

from .server_default import _closing_parenthesis, _string_literal_end

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection, Dialect
    from sqlalchemy.schema import Index

IndexDefinition = tuple[bool, tuple[str, ...], str]
"""An index as compared here: unique, its canonical elements, its canonical ``WHERE``."""


def _top_level_split(sql: str) -> list[str]:
    """Split ``sql`` on the commas outside parentheses and string literals."""
    parts: list[str] = []
    start = index = 0
    while index < len(sql):
        char = sql[index]
        if char == "'":
            index = _string_literal_end(sql, index)
            if index < 0:
                break
            continue
        if char == "(":
            index = _closing_parenthesis(sql, index)
            if index < 0:
                break
        elif char == ",":
            parts.append(sql[start:index])
            start = index + 1
        index += 1
    parts.append(sql[start:])
    return parts


def _canonical(sql: str) -> str:
    """Lower case and single spaces outside string literals; identifier quotes removed."""
    pieces: list[str] = []
    index = 0
    while index < len(sql):
        quote = sql.find("'", index)
        end = _string_literal_end(sql, quote) if quote >= 0 else -1
        plain = sql[index:] if end < 0 else sql[index:quote]
        pieces.append(" ".join(plain.lower().replace('"', "").replace("`", "").split()))
        if end < 0:
            break
        pieces.append(sql[quote:end])
        index = end
    words = " ".join(piece for piece in pieces if piece)
    for tight in ("( ", " )"):
        words = words.replace(tight, tight.strip())
    return words.removesuffix(" asc")


def parse_create_index(sql: str) -> IndexDefinition | None:
    """Read a ``CREATE [UNIQUE] INDEX name ON table (elements) [WHERE ...]`` statement.

    :returns: the :data:`IndexDefinition`, or ``None`` when ``sql`` is not such a statement.
    """
    head, on, rest = sql.partition(" ON ")
    opening = rest.find("(")
    if not on or opening < 0 or "INDEX" not in head.upper():
        return None
    closing = _closing_parenthesis(rest, opening)
    if closing < 0:
        return None
    elements = tuple(_canonical(part) for part in _top_level_split(rest[opening + 1 : closing]))
    return ("UNIQUE" in head.upper().split(), elements, _canonical(rest[closing + 1 :]))


def modelled_definition(index: Index, dialect: Dialect) -> IndexDefinition | None:
    """The model's index as the dialect creates it (``@compiles`` hooks included)."""
    return parse_create_index(str(CreateIndex(index).compile(dialect=dialect)))


def _sqlite_definition(connection: Connection, schema: str | None, name: str) -> str | None:
    quote = connection.dialect.identifier_preparer.quote
    master = f"{quote(schema)}.sqlite_master" if schema else "sqlite_master"
    row = connection.execute(
        text(f"SELECT sql FROM {master} WHERE type = 'index' AND name = :name"), {"name": name}
    ).first()
    return None if row is None or row[0] is None else str(row[0])


def _mariadb_definition(
    connection: Connection, schema: str | None, table_name: str, name: str
) -> IndexDefinition | None:
    rows = connection.execute(
        text(
            "SELECT non_unique, column_name, sub_part, collation FROM information_schema.statistics"
            " WHERE table_schema = COALESCE(:schema, DATABASE()) AND table_name = :table"
            " AND index_name = :name ORDER BY seq_in_index"
        ),
        {"schema": schema, "table": table_name, "name": name},
    ).all()
    if not rows:
        return None
    elements = tuple(
        _canonical(
            f"{row.column_name}{f'({row.sub_part})' if row.sub_part else ''}"
            f"{' desc' if row.collation == 'D' else ''}"
        )
        for row in rows
    )
    return (not int(rows[0].non_unique), elements, "")


def database_definition(
    connection: Connection, schema: str | None, table_name: str, name: str
) -> IndexDefinition | None:
    """What the database holds for index ``name`` on ``table_name``.

    :returns: the :data:`IndexDefinition`, or ``None`` on a backend not read here
        (PostgreSQL, whose reflection Alembic compares) or when the index is not found.
    """
    if connection.dialect.name == "sqlite":
        sql = _sqlite_definition(connection, schema, name)
        return None if sql is None else parse_create_index(sql)
    if connection.dialect.name == "mysql":
        return _mariadb_definition(connection, schema, table_name, name)
    return None


def withdraw_recreated_indexes(
    autogen_context: AutogenContext,
    modify_table_ops: ops.ModifyTableOps,
    schema: str | None,
    table_name: str,
    inspected_table: Table | None,
    metadata_table: Table | None,
) -> PriorityDispatchResult:
    """The ``lback`` plugin's table comparator for indexes Alembic cannot match (runs after
    Alembic's, registered by the plugin's ``setup``).

    :returns: always ``CONTINUE``.
    """
    connection = autogen_context.connection
    if connection is None or metadata_table is None:
        return PriorityDispatchResult.CONTINUE
    created = {
        operation.index_name: operation
        for operation in modify_table_ops.ops
        if isinstance(operation, ops.CreateIndexOp)
    }
    same: set[str] = set()
    for operation in modify_table_ops.ops:
        if not isinstance(operation, ops.DropIndexOp) or operation.index_name not in created:
            continue
        name = str(operation.index_name)
        modelled = next((index for index in metadata_table.indexes if index.name == name), None)
        if modelled is None:
            continue
        held = database_definition(connection, schema, table_name, name)
        if held is not None and held == modelled_definition(modelled, connection.dialect):
            same.add(name)
    if same:
        modify_table_ops.ops = [
            operation
            for operation in modify_table_ops.ops
            if not (
                isinstance(operation, (ops.CreateIndexOp, ops.DropIndexOp))
                and operation.index_name in same
            )
        ]
    return PriorityDispatchResult.CONTINUE
