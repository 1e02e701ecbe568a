"""Generated columns (``sa.Computed``) whose expression changed.

No server alters a generated column's expression in place, and stock Alembic only warns
(``Computed default on item.total cannot be modified``) and writes nothing. Here the change is
detected, with the expressions compared as :mod:`~lback_migrations.objects.spelling` compares
them, and rendered as what it needs: the column dropped and added again with the new
expression (and the old one in the downgrade). The column holds nothing of its own, so no data
is lost, but the table is rewritten when the column is stored: the lint rule LB250 reports it.

SQLAlchemy does not read a generated column's expression back from SQLite, so a change is not
detected there.
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

log = logging.getLogger(__name__)

PROBE_COLUMN = "lback_probe_generated"


def _expression_sql(computed: sa.Computed, dialect: sa.Dialect) -> str:
    return str(computed.sqltext.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def spelled_computed(
    connection: sa.Connection, schema: str | None, table: str, column: sa.Column[object]
) -> str | None:
    """Ask the server how it stores the generated ``column``'s expression.

    :returns: the server's text, or ``None`` when it cannot say (see
        :func:`~lback_migrations.objects.spelling.server_spelling`).
    """
    computed = column.computed
    assert computed is not None
    dialect = connection.dialect
    stored = computed.persisted is not False
    kind = "STORED" if stored or dialect.name == "postgresql" else "VIRTUAL"
    alteration = (
        f"ALTER TABLE {PROBE_TABLE} ADD COLUMN {PROBE_COLUMN} "
        f"{column.type.compile(dialect=dialect)} "
        f"GENERATED ALWAYS AS ({_expression_sql(computed, dialect)}) {kind}"
    )

    def read(inspector: sa.Inspector) -> str | None:
        for reflected in inspector.get_columns(PROBE_TABLE):
            if reflected["name"] == PROBE_COLUMN and "computed" in reflected:
                return str(reflected["computed"]["sqltext"])
        return None

    return server_spelling(connection, schema, table, alteration, read)


def _changed(
    connection: sa.Connection,
    schema: str | None,
    table: str,
    model_column: sa.Column[object],
    database_sql: str,
) -> bool:
    assert model_column.computed is not None
    model_sql = _expression_sql(model_column.computed, connection.dialect)
    if canonical_expression(model_sql) == canonical_expression(database_sql):
        return False
    spelled = spelled_computed(connection, schema, table, model_column)
    return spelled is None or canonical_expression(spelled) != canonical_expression(database_sql)


def compare_computed_columns(
    autogen_context: AutogenContext,
    modify_table_ops: ops.ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn_table: sa.Table | None,
    metadata_table: sa.Table | None,
) -> PriorityDispatchResult:
    """Drop and add again the generated columns whose expression changed (an Alembic
    ``table`` comparator)."""
    if conn_table is None or metadata_table is None:
        return PriorityDispatchResult.CONTINUE
    connection = autogen_context.connection
    assert connection is not None
    for model_column in metadata_table.columns:
        database_column = conn_table.columns.get(model_column.name)
        if (
            model_column.computed is None
            or database_column is None
            or database_column.computed is None
        ):
            continue
        database_sql = str(database_column.computed.sqltext)
        # SQLAlchemy reads no expression back from SQLite: nothing to compare there
        if not database_sql or not _changed(
            connection, schema, table_name, model_column, database_sql
        ):
            continue
        if not autogen_context.run_object_filters(
            model_column, model_column.name, "column", False, database_column
        ):
            continue
        log.info(
            "Detected changed generated column %r on table %r: dropped and added again",
            model_column.name,
            table_name,
        )
        modify_table_ops.ops.append(
            ops.DropColumnOp.from_column_and_tablename(schema, table_name, database_column)
        )
        modify_table_ops.ops.append(
            ops.AddColumnOp.from_column_and_tablename(schema, table_name, model_column)
        )
    return PriorityDispatchResult.CONTINUE
