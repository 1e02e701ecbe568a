"""How servers spell SQL expressions, so that spelling alone never reads as a change.

PostgreSQL, MariaDB and SQLite each hand back a CHECK constraint's or a generated column's
expression in their own spelling. :func:`canonical_expression` removes what never matters
(case, identifier quotes, white space, enclosing parentheses); where that is not enough (casts
PostgreSQL adds, operators MariaDB rewrites) :func:`server_spelling` lets the server spell the
model's expression itself, on an empty temporary copy of the table, and reads it back as the
database's own object is read.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)

PROBE_TABLE = "lback_spelling_probe"
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`|\s+|[^'\"`\s]+")
_SPACE_BESIDE_PUNCTUATION = re.compile(r"\s*([(),])\s*")
_PARENTHESES = re.compile(r"'(?:[^']|'')*'|[()]|[^'()]+")
SPELLING_DIALECTS = frozenset({"postgresql", "mysql", "mariadb"})
"""The servers asked; SQLite keeps an expression as written."""


def canonical_expression(sql: str) -> str:
    """Reduce an expression's text to a form that ignores spelling only.

    Case outside string literals, identifier quotes, runs of white space and parentheses that
    enclose the whole expression make no difference.

    :param sql: the expression as written or as a server returns it.
    :returns: the canonical text.
    """
    parts: list[str] = []
    for token in _TOKEN.findall(sql.strip()):
        if token.startswith("'"):
            parts.append(token)
        elif token[0] in '"`':
            parts.append(token[1:-1].replace(token[0] * 2, token[0]).lower())
        elif token.isspace():
            parts.append(" ")
        else:
            parts.append(token.lower())
    text = _SPACE_BESIDE_PUNCTUATION.sub(r"\1", "".join(parts)).strip()
    while text.startswith("(") and _closes_at_end(text):
        text = text[1:-1].strip()
    return text


def _closes_at_end(text: str) -> bool:
    """Whether the parenthesis opening ``text`` is the one closing it."""
    depth = 0
    for token in _PARENTHESES.finditer(text):
        if token.group() == "(":
            depth += 1
        elif token.group() == ")":
            depth -= 1
            if depth == 0:
                return token.end() == len(text)
    return False


def _probe_table_sql(dialect: sa.Dialect, schema: str | None, table: str) -> tuple[str, str]:
    preparer = dialect.identifier_preparer
    source = preparer.quote(table)
    if schema:
        source = f"{preparer.quote_schema(schema)}.{source}"
    if dialect.name == "postgresql":
        return f"CREATE TEMPORARY TABLE {PROBE_TABLE} (LIKE {source})", ""
    return (
        f"CREATE TEMPORARY TABLE {PROBE_TABLE} LIKE {source}",
        f"DROP TEMPORARY TABLE IF EXISTS {PROBE_TABLE}",
    )


def server_spelling(
    connection: sa.Connection,
    schema: str | None,
    table: str,
    alteration: str,
    read: Callable[[sa.Inspector], str | None],
) -> str | None:
    """Apply ``alteration`` to an empty temporary copy of ``table`` and read what it made.

    Nothing is left behind: the copy lives in a savepoint on PostgreSQL, and is dropped on
    MariaDB (whose temporary tables need no commit).

    :param alteration: SQL that alters the table :data:`PROBE_TABLE` (``ALTER TABLE
        lback_spelling_probe ADD ...``).
    :param read: reads the server's spelling from an inspector on the connection.
    :returns: what ``read`` returned, or ``None`` when the server cannot say (SQLite, or an
        expression the table's current columns cannot hold).
    """
    dialect = connection.dialect
    if dialect.name not in SPELLING_DIALECTS:
        return None
    create, drop = _probe_table_sql(dialect, schema, table)
    savepoint = connection.begin_nested() if dialect.name == "postgresql" else None
    try:
        connection.exec_driver_sql(create)
        connection.exec_driver_sql(alteration.replace("%", "%%"))
        return read(sa.inspect(connection))
    except sa.exc.DBAPIError as error:
        log.info("the server cannot spell %s: %s", alteration, error.orig)
        return None
    finally:
        if savepoint is not None:
            savepoint.rollback()
        elif drop:
            connection.exec_driver_sql(drop)
