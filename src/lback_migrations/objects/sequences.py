"""Sequences no column owns, on PostgreSQL and MariaDB 10.3+.

Stock Alembic compares no sequence: a ``sa.Sequence("invoice_number", metadata=metadata)`` (or
one a column names as its default) is never created by autogenerate, and a change of its start
or increment goes unseen. Here the model's sequences are compared with the database's: added
ones are created, changed ones altered (``ALTER SEQUENCE ... START WITH`` / ``INCREMENT BY``:
the next value handed out does not move), and database sequences the model does not hold are
dropped only with ``lback.drop_unknown_tables``, like tables. A sequence PostgreSQL ties to a
column (``SERIAL``, identity columns) belongs to that column and is left alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from alembic.autogenerate import renderers
from alembic.operations import ops
from alembic.util import PriorityDispatchResult, to_list
from sqlalchemy.schema import CreateSequence, DropSequence

if TYPE_CHECKING:
    from collections.abc import Sequence

    from alembic.autogenerate.api import AutogenContext
    from alembic.runtime.environment import IncludeObjectFn

log = logging.getLogger(__name__)

# an object type of its own for include_object, as alembic-utils has "view" and "function"
SEQUENCE: Any = "sequence"

_OWNED_SEQUENCES_SQL = sa.text(
    "SELECT sequence.relname FROM pg_class AS sequence "
    "JOIN pg_namespace AS namespace ON namespace.oid = sequence.relnamespace "
    "JOIN pg_depend AS dependency ON dependency.objid = sequence.oid "
    "AND dependency.classid = 'pg_class'::regclass AND dependency.deptype IN ('a', 'i') "
    "WHERE sequence.relkind = 'S' AND namespace.nspname = :schema"
)
_POSTGRESQL_OPTIONS_SQL = sa.text(
    "SELECT start_value, increment_by FROM pg_sequences "
    "WHERE schemaname = :schema AND sequencename = :name"
)


@dataclass(frozen=True)
class SequenceOptions:
    """What is compared of a sequence: where it starts and by how much it moves."""

    start: int
    increment: int


def _model_options(sequence: sa.Sequence) -> SequenceOptions:
    increment = sequence.increment if sequence.increment is not None else 1
    if sequence.start is not None:
        start = sequence.start
    elif increment > 0:
        start = sequence.minvalue if sequence.minvalue is not None else 1
    else:
        start = sequence.maxvalue if sequence.maxvalue is not None else -1
    return SequenceOptions(int(start), int(increment))


def _database_options(connection: sa.Connection, schema: str, name: str) -> SequenceOptions | None:
    if connection.dialect.name == "postgresql":
        row = connection.execute(_POSTGRESQL_OPTIONS_SQL, {"schema": schema, "name": name}).first()
    else:
        preparer = connection.dialect.identifier_preparer
        row = connection.execute(
            sa.text(
                f"SELECT start_value, increment FROM {preparer.quote_schema(schema)}."
                f"{preparer.quote(name)}"
            )
        ).first()
    return None if row is None else SequenceOptions(int(row[0]), int(row[1]))


class CreateSequenceOp(ops.MigrateOperation):
    """Create a sequence; its reverse drops it."""

    def __init__(self, sequence: sa.Sequence) -> None:
        self.sequence = sequence

    def reverse(self) -> DropSequenceOp:
        return DropSequenceOp(self.sequence)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_sequence", self.sequence.schema, self.sequence.name)


class DropSequenceOp(ops.MigrateOperation):
    """Drop a sequence; its reverse creates it with the options it had."""

    def __init__(self, sequence: sa.Sequence) -> None:
        self.sequence = sequence

    def reverse(self) -> CreateSequenceOp:
        return CreateSequenceOp(self.sequence)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_sequence", self.sequence.schema, self.sequence.name)


class AlterSequenceOp(ops.MigrateOperation):
    """Change the start and increment of a sequence."""

    def __init__(
        self, schema: str | None, name: str, old: SequenceOptions, new: SequenceOptions
    ) -> None:
        self.schema = schema
        self.name = name
        self.old = old
        self.new = new

    def reverse(self) -> AlterSequenceOp:
        return AlterSequenceOp(self.schema, self.name, self.new, self.old)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("modify_sequence", self.schema, self.name, self.old, self.new)


def _execute(sql: str) -> str:
    return f"op.execute({sql!r})"


@renderers.dispatch_for(CreateSequenceOp)
def _render_create(autogen_context: AutogenContext, op: CreateSequenceOp) -> str:
    return _execute(str(CreateSequence(op.sequence).compile(dialect=autogen_context.dialect)))


@renderers.dispatch_for(DropSequenceOp)
def _render_drop(autogen_context: AutogenContext, op: DropSequenceOp) -> str:
    return _execute(str(DropSequence(op.sequence).compile(dialect=autogen_context.dialect)))


@renderers.dispatch_for(AlterSequenceOp)
def _render_alter(autogen_context: AutogenContext, op: AlterSequenceOp) -> str:
    assert autogen_context.dialect is not None
    preparer = autogen_context.dialect.identifier_preparer
    name = preparer.quote(op.name)
    if op.schema:
        name = f"{preparer.quote_schema(op.schema)}.{name}"
    changes = []
    if op.new.increment != op.old.increment:
        changes.append(f"INCREMENT BY {op.new.increment}")
    if op.new.start != op.old.start:
        changes.append(f"START WITH {op.new.start}")
    return _execute(f"ALTER SEQUENCE {name} {' '.join(changes)}")


def _model_sequences(autogen_context: AutogenContext) -> list[sa.Sequence]:
    collections: list[sa.MetaData] = to_list(autogen_context.metadata, [])
    # MetaData keeps every sequence associated with it (standalone or a column's) here only
    return [
        sequence
        for collection in collections
        for sequence in collection._sequences.values()
        if not sequence.optional
    ]


def _owned_sequences(connection: sa.Connection, schema: str) -> set[str]:
    if connection.dialect.name != "postgresql":
        return set()
    return {name for (name,) in connection.execute(_OWNED_SEQUENCES_SQL, {"schema": schema})}


def compare_sequences(
    autogen_context: AutogenContext,
    upgrade_ops: ops.UpgradeOps,
    schemas: set[str | None],
) -> PriorityDispatchResult:
    """Compare the model's sequences with the database's (an Alembic ``schema`` comparator).

    :param schemas: the schemas autogenerate compares, ``None`` for the default one.
    """
    connection = autogen_context.connection
    assert connection is not None
    if not connection.dialect.supports_sequences:
        return PriorityDispatchResult.CONTINUE
    default_schema = connection.dialect.default_schema_name
    assert default_schema is not None
    inspector = sa.inspect(connection)
    model = {(s.schema, s.name): s for s in _model_sequences(autogen_context)}
    found: dict[tuple[str | None, str], SequenceOptions | None] = {}
    for schema in schemas | {schema for schema, _ in model}:
        real_schema = schema or default_schema
        owned = _owned_sequences(connection, real_schema)
        for name in inspector.get_sequence_names(schema=real_schema):
            if name not in owned:
                found[(schema, name)] = _database_options(connection, real_schema, name)
    for key, sequence in model.items():
        if not autogen_context.run_object_filters(sequence, key[1], SEQUENCE, False, None):
            continue
        if key not in found:
            log.info("Detected added sequence %r", key[1])
            upgrade_ops.ops.insert(0, CreateSequenceOp(sequence))
            continue
        existing, wanted = found[key], _model_options(sequence)
        if existing is not None and existing != wanted:
            log.info("Detected changed sequence %r", key[1])
            upgrade_ops.ops.insert(0, AlterSequenceOp(key[0], key[1], existing, wanted))
    for (schema, name), options in found.items():
        if (schema, name) in model or schema not in schemas or options is None:
            continue
        dropped = sa.Sequence(name, start=options.start, increment=options.increment, schema=schema)
        if autogen_context.run_object_filters(dropped, name, SEQUENCE, True, None):
            log.info("Detected removed sequence %r", name)
            upgrade_ops.ops.append(DropSequenceOp(dropped))
    return PriorityDispatchResult.CONTINUE


def sequence_filter(
    *,
    include_tables: Sequence[str] = (),
    exclude_tables: Sequence[str] = (),
    drop_unknown: bool = False,
) -> IncludeObjectFn:
    """Build an ``include_object`` hook that filters sequences as tables are.

    :param include_tables: glob patterns; when given, only sequences matching one are compared.
    :param exclude_tables: glob patterns of sequences never compared.
    :param drop_unknown: let autogenerate drop database sequences the model does not define.
    :returns: a callable to combine with the tables' ``include_object`` hook.
    """

    def include_object(
        obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        if type_ != SEQUENCE or name is None:
            return True
        names = (name, f"{obj.schema}.{name}" if obj.schema else name)
        if any(fnmatchcase(n, pattern) for pattern in exclude_tables for n in names):
            return False
        if include_tables and not any(
            fnmatchcase(n, pattern) for pattern in include_tables for n in names
        ):
            return False
        return not reflected or drop_unknown

    return include_object
