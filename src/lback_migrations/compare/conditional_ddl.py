"""Indexes and constraints a model makes conditional with ``.ddl_if(...)``.

``Index(...).ddl_if(dialect="postgresql")`` tells ``create_all`` to create the index on
PostgreSQL only. Stock Alembic ignores the condition and proposes the index on every other
backend, on every run. This comparator runs after Alembic's own index, unique constraint and
foreign key comparison and withdraws the proposals to create an object whose ``ddl_if``
says this database would not get it, evaluated as ``create_all`` evaluates it (the dialect
and the callable, with the connection in use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alembic.operations import ops
from alembic.util import PriorityDispatchResult
from sqlalchemy.schema import AddConstraint, ColumnCollectionConstraint, CreateIndex, Index

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection
    from sqlalchemy.schema import Constraint


def created_here(item: Index | Constraint, connection: Connection | None) -> bool:
    """Whether ``create_all`` on ``connection`` creates ``item`` (its ``ddl_if`` allows it).

    :param item: an index or a constraint of the model.
    :param connection: the connection autogenerate compares on; without one, every object
        counts as created.
    """
    condition: Any = getattr(item, "_ddl_if", None)
    if condition is None or connection is None:
        return True
    statement = CreateIndex(item) if isinstance(item, Index) else AddConstraint(item)
    return bool(condition._should_execute(statement, item, connection))


def _modelled_object(operation: ops.MigrateOperation) -> Index | Constraint | None:
    if isinstance(operation, ops.CreateIndexOp):
        return operation.to_index()
    if isinstance(operation, ops.AddConstraintOp):
        return operation.to_constraint()
    return None


def withdraw_conditional_objects(
    autogen_context: AutogenContext,
    modify_table_ops: ops.ModifyTableOps,
    schema: str | None,
    table_name: str,
    inspected_table: Table | None,
    metadata_table: Table | None,
) -> PriorityDispatchResult:
    """The ``lback`` plugin's table comparator for ``ddl_if`` (runs last, registered by the
    plugin's ``setup``).

    :returns: always ``CONTINUE``: other comparators still see the table.
    """
    if metadata_table is None:
        return PriorityDispatchResult.CONTINUE
    items: list[Index | Constraint] = [*metadata_table.indexes, *metadata_table.constraints]
    conditional = [item for item in items if getattr(item, "_ddl_if", None) is not None]
    if not conditional:
        return PriorityDispatchResult.CONTINUE
    connection = autogen_context.connection
    not_created = {_signature(item) for item in conditional if not created_here(item, connection)}
    modify_table_ops.ops = [
        operation
        for operation in modify_table_ops.ops
        if (modelled := _modelled_object(operation)) is None
        or _signature(modelled) not in not_created
    ]
    return PriorityDispatchResult.CONTINUE


def _signature(item: Index | Constraint) -> tuple[str, str | None, tuple[str, ...]]:
    """What identifies an object across Alembic's copies of it: kind, name and columns."""
    if isinstance(item, Index):
        columns = tuple(str(getattr(element, "name", element)) for element in item.expressions)
        return ("index", _name(item), columns)
    if isinstance(item, ColumnCollectionConstraint):
        return (type(item).__name__, _name(item), tuple(item.columns.keys()))
    return (type(item).__name__, _name(item), ())


def _name(item: Index | Constraint) -> str | None:
    return None if item.name is None else str(item.name)
