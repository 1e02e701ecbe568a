"""Foreign keys on MariaDB / MySQL tables whose storage engine ignores them.

MyISAM, Aria, MEMORY and most other engines accept a ``FOREIGN KEY`` clause and drop it
without a word: only InnoDB keeps foreign keys. On such a table Alembic finds the model's
foreign keys missing and proposes to add them on every run, and adding them changes nothing.
This comparator runs after Alembic's foreign key comparison, withdraws those proposals and
says once per table that its engine ignores foreign keys.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from alembic.operations import ops
from alembic.util import PriorityDispatchResult
from sqlalchemy import ForeignKeyConstraint, text

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)

ENGINES_WITH_FOREIGN_KEYS = frozenset({"innodb"})
"""The MariaDB / MySQL storage engines that keep foreign keys (names in lower case)."""


def table_engine(connection: Connection, schema: str | None, table_name: str) -> str | None:
    """The storage engine of a MariaDB / MySQL table (``None`` when unknown)."""
    engine = connection.execute(
        text(
            "SELECT engine FROM information_schema.tables"
            " WHERE table_schema = COALESCE(:schema, DATABASE()) AND table_name = :table"
        ),
        {"schema": schema, "table": table_name},
    ).scalar()
    return None if engine is None else str(engine)


def withdraw_ignored_foreign_keys(
    autogen_context: AutogenContext,
    modify_table_ops: ops.ModifyTableOps,
    schema: str | None,
    table_name: str,
    inspected_table: Table | None,
    metadata_table: Table | None,
) -> PriorityDispatchResult:
    """The ``lback`` plugin's table comparator for engines without foreign keys (runs after
    Alembic's, registered by the plugin's ``setup``).

    :returns: always ``CONTINUE``.
    """
    connection = autogen_context.connection
    if connection is None or connection.dialect.name != "mysql" or inspected_table is None:
        return PriorityDispatchResult.CONTINUE
    proposed = [
        operation
        for operation in modify_table_ops.ops
        if isinstance(operation, ops.AddConstraintOp)
        and isinstance(operation.to_constraint(), ForeignKeyConstraint)
    ]
    if not proposed:
        return PriorityDispatchResult.CONTINUE
    engine = table_engine(connection, schema, table_name)
    if engine is None or engine.lower() in ENGINES_WITH_FOREIGN_KEYS:
        return PriorityDispatchResult.CONTINUE
    qualified = f"{schema}.{table_name}" if schema else table_name
    log.warning(
        "table %s uses the %s engine, which ignores foreign keys: its %d foreign key(s) "
        "in the model are not compared",
        qualified,
        engine,
        len(proposed),
    )
    modify_table_ops.ops = [
        operation for operation in modify_table_ops.ops if operation not in proposed
    ]
    return PriorityDispatchResult.CONTINUE
