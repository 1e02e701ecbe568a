"""Named CHECK constraints whose expression changed, without the false positives of spelling.

Alembic's ``alembic.ext.checkconstraint_byname`` plugin reports CHECK constraints added and
removed by name, and never a changed expression: each server stores the expression in its own
spelling (PostgreSQL ``((price > (0)::numeric))``, MariaDB ``` `price` > 0 ```), so comparing
texts would report every constraint as changed on every run. This comparator, turned on
together with it by ``lback.compare_check_constraints``, compares the expression of each named
constraint found on both sides:

1. both texts are reduced to a canonical form (case outside string literals, identifier quotes,
   white space, enclosing parentheses);
2. when they still differ, the server itself spells the model's expression: it is added to an
   empty temporary copy of the table and read back as the database's constraint was read (inside
   a savepoint on PostgreSQL; MariaDB's temporary tables need no commit). SQLite keeps the text
   as written, so step 1 decides there.

A constraint whose expression still differs is dropped and added again. A CHECK constraint the
model leaves unnamed is named by the server; the ``byname`` plugin then proposes dropping it,
and this comparator takes that proposal back when the model holds an unnamed constraint of the
same expression.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic.operations import ops
from alembic.util import PriorityDispatchResult

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from sqlalchemy.engine.interfaces import ReflectedCheckConstraint

log = logging.getLogger(__name__)

PROBE_TABLE = "lback_check_probe"
PROBE_CONSTRAINT = "lback_check_probe_expression"
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`|\s+|[^'\"`\s]+")
_SPACE_BESIDE_PUNCTUATION = re.compile(r"\s*([(),])\s*")
_PARENTHESES = re.compile(r"'(?:[^']|'')*'|[()]|[^'()]+")


def canonical_expression(sql: str) -> str:
    """Reduce a CHECK expression's text to a form that ignores spelling only.

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


def _model_sql(constraint: sa.CheckConstraint, dialect: sa.Dialect) -> str:
    return str(constraint.sqltext.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


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
    connection: sa.Connection, schema: str | None, table: str, expression: str
) -> str | None:
    """Ask the server how it stores ``expression`` as a CHECK constraint of ``table``.

    :param expression: the model's expression, compiled for the connection's dialect.
    :returns: the text the server hands back, or ``None`` when the server cannot say (SQLite,
        or an expression the table's current columns cannot hold).
    """
    dialect = connection.dialect
    if dialect.name not in ("postgresql", "mysql", "mariadb"):
        return None
    create, drop = _probe_table_sql(dialect, schema, table)
    add = f"ALTER TABLE {PROBE_TABLE} ADD CONSTRAINT {PROBE_CONSTRAINT} CHECK ({expression})"
    savepoint = connection.begin_nested() if dialect.name == "postgresql" else None
    try:
        connection.exec_driver_sql(create)
        connection.exec_driver_sql(add.replace("%", "%%"))
        reflected = sa.inspect(connection).get_check_constraints(PROBE_TABLE)
    except sa.exc.DBAPIError as error:
        log.info("cannot spell CHECK (%s) on the server: %s", expression, error.orig)
        return None
    finally:
        if savepoint is not None:
            savepoint.rollback()
        elif drop:
            connection.exec_driver_sql(drop)
    texts = [check["sqltext"] for check in reflected if check["name"] == PROBE_CONSTRAINT]
    return texts[0] if texts else None


def _same_expression(
    connection: sa.Connection,
    schema: str | None,
    table: str,
    model_sql: str,
    database_sql: str,
) -> bool:
    if canonical_expression(model_sql) == canonical_expression(database_sql):
        return True
    spelled = server_spelling(connection, schema, table, model_sql)
    return spelled is not None and canonical_expression(spelled) == canonical_expression(
        database_sql
    )


def _model_checks(table: sa.Table) -> list[sa.CheckConstraint]:
    candidates = [*table.constraints, *(c for column in table.columns for c in column.constraints)]
    return [c for c in candidates if isinstance(c, sa.CheckConstraint)]


def _is_dropped_check(change: ops.MigrateOperation) -> bool:
    return isinstance(change, ops.DropConstraintOp) and change.constraint_type == "check"


def compare_check_expressions(
    autogen_context: AutogenContext,
    modify_table_ops: ops.ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn_table: sa.Table | None,
    metadata_table: sa.Table | None,
) -> PriorityDispatchResult:
    """Report named CHECK constraints whose expression changed (an Alembic ``table``
    comparator), and take back the drop of a server-named unnamed model constraint.
    """
    if conn_table is None or metadata_table is None:
        return PriorityDispatchResult.CONTINUE
    connection = autogen_context.connection
    assert connection is not None
    assert autogen_context.dialect is not None
    dialect = autogen_context.dialect
    try:
        reflected: list[ReflectedCheckConstraint] = sa.inspect(connection).get_check_constraints(
            table_name, schema=schema
        )
    except NotImplementedError:
        return PriorityDispatchResult.CONTINUE
    database = {check["name"]: check["sqltext"] for check in reflected if check.get("name")}
    model_checks = _model_checks(metadata_table)
    unnamed = [_model_sql(c, dialect) for c in model_checks if not isinstance(c.name, str)]
    for change in list(modify_table_ops.ops):
        if not _is_dropped_check(change):
            continue
        database_sql = database.get(change.constraint_name)  # type: ignore[attr-defined]
        if database_sql is not None and any(
            _same_expression(connection, schema, table_name, sql, database_sql) for sql in unnamed
        ):
            modify_table_ops.ops.remove(change)
    for constraint in model_checks:
        name = constraint.name
        if not isinstance(name, str) or name not in database:
            continue
        model_sql = _model_sql(constraint, dialect)
        if _same_expression(connection, schema, table_name, model_sql, database[name]):
            continue
        if not autogen_context.run_object_filters(
            constraint, name, "check_constraint", False, None
        ):
            continue
        log.info("Detected changed check constraint %r on table %r", name, table_name)
        database_constraint = sa.CheckConstraint(sa.text(database[name]), name=name)
        sa.Table(table_name, sa.MetaData(), database_constraint, schema=schema)
        modify_table_ops.ops.append(ops.DropConstraintOp.from_constraint(database_constraint))
        modify_table_ops.ops.append(ops.AddConstraintOp.from_constraint(constraint))
    return PriorityDispatchResult.CONTINUE
