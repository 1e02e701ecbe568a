"""Server defaults the database itself compares, when their spellings cannot decide.

Normalising text reaches its limit with types whose literals have many spellings: PostgreSQL
reflects ``server_default="0"`` on an ``INTERVAL`` column as ``'00:00:00'::interval``, a
``1 day`` as ``'1 day'::interval``, an ``inet`` or a ``time`` in its own canonical form. Both
mean one value, which only the server knows. Where the normalised defaults differ on
PostgreSQL, both are cast to the column's type and compared by the server, in a savepoint so a
failing cast leaves the transaction usable; stock Alembic's PostgreSQL comparison asks the
server the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import exc, text

if TYPE_CHECKING:
    from sqlalchemy import Column
    from sqlalchemy.engine import Connection

EVALUATING_DIALECTS = frozenset({"postgresql"})
"""The backends whose server is asked to compare two defaults."""


def sql_literal(value: str) -> str:
    """``value`` as a SQL string literal (standard quoting: a quote is doubled)."""
    return "'" + value.replace("'", "''") + "'"


def evaluated_equal(
    connection: Connection | None, column: Column[Any], model_sql: str, database_sql: str
) -> bool | None:
    """Ask the server whether two default expressions mean the same value of ``column``'s type.

    :param connection: the connection autogenerate compares on.
    :param column: the model's column; its type, compiled for the connection's dialect, is the
        type both sides are cast to.
    :param model_sql: the model's default as SQL (a string default as a literal).
    :param database_sql: the default as the database reflects it.
    :returns: the server's answer, or ``None`` when the backend is not asked
        (:data:`EVALUATING_DIALECTS`) or the server cannot evaluate the two.
    """
    if connection is None or connection.dialect.name not in EVALUATING_DIALECTS:
        return None
    try:
        type_sql = column.type.compile(dialect=connection.dialect)
    except exc.CompileError:
        return None
    sql = (
        f"SELECT CAST(({model_sql}) AS {type_sql}) IS NOT DISTINCT FROM "
        f"CAST(({database_sql}) AS {type_sql})"
    )
    # a colon in a literal ('00:00:00') is not a bind parameter
    query = text(sql.replace(":", r"\:"))
    try:
        with connection.begin_nested():
            answer = connection.execute(query).scalar()
    except exc.DBAPIError:
        return None
    return None if answer is None else bool(answer)
