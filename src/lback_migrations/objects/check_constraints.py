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
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic.operations import ops
from alembic.util import PriorityDispatchResult

from .spelling import PROBE_TABLE, canonical_expression, server_spelling

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from sqlalchemy.engine.interfaces import ReflectedCheckConstraint

log = logging.getLogger(__name__)

PROBE_CONSTRAINT = "lback_check_probe_expression"


def _model_sql(constraint: sa.CheckConstraint, dialect: sa.Dialect) -> str:
    return str(constraint.sqltext.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def spelled_check(
    connection: sa.Connection, schema: str | None, table: str, expression: str
) -> str | None:
    """Ask the server how it stores ``expression`` as a CHECK constraint of ``table``.

    :param expression: the model's expression, compiled for the connection's dialect.
    :returns: the server's text, or ``None`` when it cannot say (see
        :func:`~lback_migrations.objects.spelling.server_spelling`).
    """

    def read(inspector: sa.Inspector) -> str | None:
        checks = inspector.get_check_constraints(PROBE_TABLE)
        return next((c["sqltext"] for c in checks if c["name"] == PROBE_CONSTRAINT), None)

    alteration = f"ALTER TABLE {PROBE_TABLE} ADD CONSTRAINT {PROBE_CONSTRAINT} CHECK ({expression})"
    return server_spelling(connection, schema, table, alteration, read)


def _same_expression(
    connection: sa.Connection,
    schema: str | None,
    table: str,
    model_sql: str,
    database_sql: str,
) -> bool:
    if canonical_expression(model_sql) == canonical_expression(database_sql):
        return True
    spelled = spelled_check(connection, schema, table, model_sql)
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
