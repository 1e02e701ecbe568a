"""PostgreSQL enum types, compared and rendered as the statements PostgreSQL needs.

Stock Alembic leaves a native enum type to SQLAlchemy's table events: ``op.create_table``
creates it, ``op.drop_table`` never drops it (so ``downgrade base`` then ``upgrade head`` fails
with ``type ... already exists``), ``op.add_column`` does not create it, and a change of its
values goes unnoticed. Here the type has a life of its own:

* a new type is created before the first table or column that uses it, and the tables render
  it with ``create_type=False`` (:func:`enum_type_renderer`), so a type shared by several
  tables is created once;
* a type whose last column this revision removes is dropped after it;
* added values become ``ALTER TYPE ... ADD VALUE`` with ``BEFORE`` / ``AFTER``, in an
  autocommit block (a value added in a transaction cannot be used before it commits);
* values in the place of others become ``ALTER TYPE ... RENAME VALUE`` (no rewrite), with a
  warning, since they could also be a removal and an addition;
* anything else (removed or reordered values) becomes a type swap that first checks no row
  holds a removed value, with a warning that it rewrites the tables using the type.

Every statement is rendered as plain ``op.execute`` SQL: a revision needs nothing of this
package to run, and the linter reads what it does.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa
from alembic.autogenerate import renderers
from alembic.operations import ops
from alembic.util import PriorityDispatchResult
from sqlalchemy.dialects import postgresql

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from alembic.autogenerate.api import AutogenContext
    from alembic.runtime.environment import NameFilterParentNames, RenderItemFn

log = logging.getLogger(__name__)

PLUGIN_NAME = "lback.postgresql_enums"
"""The autogenerate plugin comparing PostgreSQL enum types."""

_OLD_TYPE_SUFFIX = "__lback_old"
_PREPARER = postgresql.dialect().identifier_preparer  # type: ignore[no-untyped-call]
# SQLAlchemy's text() reads ``:name`` as a bind parameter; ``::`` casts and ``a:b`` are left be
_BIND_LIKE = re.compile(r"(?<![:\w\\]):(?=\w)")
_ENUM_DEFAULT = re.compile(r"^'((?:[^']|'')*)'::")

EnumKey = tuple["str | None", str]
"""``(schema, name)`` of an enum type; ``None`` is the connection's default schema."""


@dataclass(frozen=True)
class EnumUse:
    """A column of the database whose type is an enum type.

    :param schema: the table's schema, ``None`` for the default one.
    :param table: the table name.
    :param column: the column name.
    :param default: the column's default as the server spells it (``'a'::mood``), or ``None``.
    """

    schema: str | None
    table: str
    column: str
    default: str | None = None


def _type_sql(schema: str | None, name: str) -> str:
    quoted = _PREPARER.quote(name)
    return f"{_PREPARER.quote_schema(schema)}.{quoted}" if schema else quoted


def _table_sql(schema: str | None, table: str) -> str:
    quoted = _PREPARER.quote(table)
    return f"{_PREPARER.quote_schema(schema)}.{quoted}" if schema else quoted


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _values_sql(values: Iterable[str]) -> str:
    return ", ".join(_literal(value) for value in values)


def _execute(sql: str) -> str:
    escaped = _BIND_LIKE.sub(lambda _: "\\:", sql)
    return f"op.execute({escaped!r})"


def _label(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


class CreateEnumOp(ops.MigrateOperation):
    """Create an enum type: ``CREATE TYPE name AS ENUM (...)``."""

    def __init__(self, schema: str | None, name: str, values: Sequence[str]) -> None:
        self.schema = schema
        self.name = name
        self.values = tuple(values)

    def reverse(self) -> DropEnumOp:
        return DropEnumOp(self.schema, self.name, self.values)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_enum", self.schema, self.name, self.values)


class DropEnumOp(ops.MigrateOperation):
    """Drop an enum type; ``values`` are kept to create it again in the other direction."""

    def __init__(self, schema: str | None, name: str, values: Sequence[str]) -> None:
        self.schema = schema
        self.name = name
        self.values = tuple(values)

    def reverse(self) -> CreateEnumOp:
        return CreateEnumOp(self.schema, self.name, self.values)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_enum", self.schema, self.name, self.values)


class AddEnumValuesOp(ops.MigrateOperation):
    """Add values to an enum type, in place, keeping the order of ``new_values``.

    :param uses: the columns holding the type, needed to take the values out again.
    """

    def __init__(
        self,
        schema: str | None,
        name: str,
        old_values: Sequence[str],
        new_values: Sequence[str],
        uses: Sequence[EnumUse],
    ) -> None:
        self.schema = schema
        self.name = name
        self.old_values = tuple(old_values)
        self.new_values = tuple(new_values)
        self.uses = tuple(uses)

    def reverse(self) -> ReplaceEnumValuesOp:
        return ReplaceEnumValuesOp(
            self.schema, self.name, self.new_values, self.old_values, self.uses
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        added = tuple(value for value in self.new_values if value not in self.old_values)
        return ("add_enum_values", self.schema, self.name, added)


class RenameEnumValuesOp(ops.MigrateOperation):
    """Rename values of an enum type in place: ``renames`` are ``(old, new)`` pairs."""

    def __init__(self, schema: str | None, name: str, renames: Sequence[tuple[str, str]]) -> None:
        self.schema = schema
        self.name = name
        self.renames = tuple(renames)

    def reverse(self) -> RenameEnumValuesOp:
        return RenameEnumValuesOp(self.schema, self.name, [(new, old) for old, new in self.renames])

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("rename_enum_values", self.schema, self.name, self.renames)


class ReplaceEnumValuesOp(ops.MigrateOperation):
    """Give an enum type a new list of values by swapping in a new type.

    The rendered statements stop before touching anything when a row of ``uses`` holds a value
    missing from ``new_values``.
    """

    def __init__(
        self,
        schema: str | None,
        name: str,
        old_values: Sequence[str],
        new_values: Sequence[str],
        uses: Sequence[EnumUse],
    ) -> None:
        self.schema = schema
        self.name = name
        self.old_values = tuple(old_values)
        self.new_values = tuple(new_values)
        self.uses = tuple(uses)

    def reverse(self) -> ReplaceEnumValuesOp:
        return ReplaceEnumValuesOp(
            self.schema, self.name, self.new_values, self.old_values, self.uses
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("replace_enum_values", self.schema, self.name, self.old_values, self.new_values)


@renderers.dispatch_for(CreateEnumOp)
def _render_create(autogen_context: AutogenContext, op: CreateEnumOp) -> str:
    type_sql = _type_sql(op.schema, op.name)
    return _execute(f"CREATE TYPE {type_sql} AS ENUM ({_values_sql(op.values)})")


@renderers.dispatch_for(DropEnumOp)
def _render_drop(autogen_context: AutogenContext, op: DropEnumOp) -> str:
    return _execute(f"DROP TYPE {_type_sql(op.schema, op.name)}")


def _added_value_positions(
    old_values: Sequence[str], new_values: Sequence[str]
) -> list[tuple[str, str]]:
    """``(value, "BEFORE 'x'" or "AFTER 'x'")`` for each added value, in the order to add them."""
    positions: list[tuple[str, str]] = []
    present = list(old_values)
    for index, value in enumerate(new_values):
        if value in present:
            continue
        earlier = [other for other in new_values[:index] if other in present]
        if earlier:
            positions.append((value, f" AFTER {_literal(earlier[-1])}"))
        else:
            later = [other for other in new_values[index + 1 :] if other in present]
            positions.append((value, f" BEFORE {_literal(later[0])}" if later else ""))
        present.append(value)
    return positions


@renderers.dispatch_for(AddEnumValuesOp)
def _render_add_values(autogen_context: AutogenContext, op: AddEnumValuesOp) -> list[str | None]:
    type_sql = _type_sql(op.schema, op.name)
    lines: list[str | None] = [
        "# a value added inside a transaction cannot be used before it commits",
        "with op.get_context().autocommit_block():",
    ]
    for value, position in _added_value_positions(op.old_values, op.new_values):
        lines.append(
            _execute(f"ALTER TYPE {type_sql} ADD VALUE IF NOT EXISTS {_literal(value)}{position}")
        )
    lines.append(None)  # ends the block (Alembic's PythonPrinter dedents on None)
    return lines


@renderers.dispatch_for(RenameEnumValuesOp)
def _render_rename_values(autogen_context: AutogenContext, op: RenameEnumValuesOp) -> list[str]:
    type_sql = _type_sql(op.schema, op.name)
    return [
        _execute(f"ALTER TYPE {type_sql} RENAME VALUE {_literal(old)} TO {_literal(new)}")
        for old, new in op.renames
    ]


def _guard_sql(op: ReplaceEnumValuesOp) -> str | None:
    removed = [value for value in op.old_values if value not in op.new_values]
    if not removed or not op.uses:
        return None
    checks = " OR ".join(
        f"EXISTS (SELECT 1 FROM {_table_sql(use.schema, use.table)} "
        f"WHERE {_PREPARER.quote(use.column)}::text IN ({_values_sql(removed)}))"
        for use in op.uses
    )
    message = _literal(
        f"rows hold values removed from enum {_label(op.schema, op.name)} "
        f"({', '.join(removed)}): update them first"
    )
    return f"DO $$ BEGIN IF {checks} THEN RAISE EXCEPTION {message}; END IF; END $$"


def _kept_default(default: str | None, values: Sequence[str]) -> str | None:
    """The column default to set again after the swap, when it names a value that remains."""
    if default is None:
        return None
    match = _ENUM_DEFAULT.match(default)
    if match is None or match.group(1).replace("''", "'") not in values:
        return None
    return default


@renderers.dispatch_for(ReplaceEnumValuesOp)
def _render_replace_values(autogen_context: AutogenContext, op: ReplaceEnumValuesOp) -> list[str]:
    type_sql = _type_sql(op.schema, op.name)
    old_name = op.name + _OLD_TYPE_SUFFIX
    tables = ", ".join(sorted({_label(use.schema, use.table) for use in op.uses})) or "none"
    lines = [
        f"# swaps in a new type: rewrites {tables} under an exclusive lock",
    ]
    guard = _guard_sql(op)
    if guard is not None:
        lines.append(_execute(guard))
    lines.append(_execute(f"ALTER TYPE {type_sql} RENAME TO {_PREPARER.quote(old_name)}"))
    lines.append(_execute(f"CREATE TYPE {type_sql} AS ENUM ({_values_sql(op.new_values)})"))
    for use in op.uses:
        alter = f"ALTER TABLE {_table_sql(use.schema, use.table)} ALTER COLUMN "
        column = _PREPARER.quote(use.column)
        default = _kept_default(use.default, op.new_values)
        if use.default is not None:
            lines.append(_execute(f"{alter}{column} DROP DEFAULT"))
        lines.append(_execute(f"{alter}{column} TYPE {type_sql} USING {column}::text::{type_sql}"))
        if default is not None:
            lines.append(_execute(f"{alter}{column} SET DEFAULT {default}"))
    lines.append(_execute(f"DROP TYPE {_type_sql(op.schema, old_name)}"))
    return lines


def _native_enum(type_: Any) -> sa.Enum | None:
    if isinstance(type_, sa.ARRAY):
        type_ = type_.item_type
    if isinstance(type_, sa.TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, sa.Enum) and type_.native_enum and type_.name:
        return type_
    return None


def enum_type_renderer(fallback: RenderItemFn) -> RenderItemFn:
    """Wrap a ``render_item`` hook so native enum types render with ``create_type=False``.

    The type's own operations (:class:`CreateEnumOp`, :class:`DropEnumOp`) create and drop it;
    a table must not create it again.

    :param fallback: the hook that renders everything else.
    :returns: a callable for ``context.configure(render_item=...)``.
    """

    def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
        if (
            type_ == "type"
            and isinstance(obj, sa.Enum)
            and not isinstance(obj, sa.TypeDecorator)
            and _native_enum(obj) is not None
        ):
            autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
            values = "".join(f"{value!r}, " for value in obj.enums)
            schema = f", schema={obj.schema!r}" if obj.schema else ""
            return f"postgresql.ENUM({values}name={obj.name!r}{schema}, create_type=False)"
        return fallback(type_, obj, autogen_context)

    return render_item


def _declared_enums(
    autogen_context: AutogenContext, normal: Callable[[str | None], str | None]
) -> dict[EnumKey, tuple[str, ...]]:
    declared: dict[EnumKey, tuple[str, ...]] = {}
    for table in autogen_context.sorted_tables:
        parent_names: NameFilterParentNames = {
            "schema_name": table.schema,
            "schema_qualified_table_name": table.key,
        }
        if not autogen_context.run_name_filters(table.name, "table", parent_names):
            continue
        if not autogen_context.run_object_filters(table, table.name, "table", False, None):
            continue
        for column in table.columns:
            enum = _native_enum(column.type)
            if enum is None or not autogen_context.run_object_filters(
                column, column.name, "column", False, None
            ):
                continue
            assert enum.name is not None
            declared.setdefault((normal(enum.schema), enum.name), tuple(enum.enums))
    return declared


def _reflected_enums(
    inspector: sa.Inspector, schemas: Iterable[str | None], default_schema: str
) -> dict[EnumKey, tuple[str, ...]]:
    reflected: dict[EnumKey, tuple[str, ...]] = {}
    for schema in schemas:
        for enum in inspector.get_enums(schema=schema or default_schema):  # type: ignore[attr-defined]
            reflected[(schema, enum["name"])] = tuple(enum["labels"])
    return reflected


_USES_SQL = sa.text(
    """
    SELECT type_namespace.nspname, enum_type.typname,
           table_namespace.nspname, relation.relname, attribute.attname,
           pg_get_expr(column_default.adbin, column_default.adrelid)
    FROM pg_attribute AS attribute
    JOIN pg_class AS relation ON relation.oid = attribute.attrelid
    JOIN pg_namespace AS table_namespace ON table_namespace.oid = relation.relnamespace
    JOIN pg_type AS enum_type ON enum_type.oid = attribute.atttypid
    JOIN pg_namespace AS type_namespace ON type_namespace.oid = enum_type.typnamespace
    LEFT JOIN pg_attrdef AS column_default
        ON column_default.adrelid = attribute.attrelid AND column_default.adnum = attribute.attnum
    WHERE enum_type.typtype = 'e' AND attribute.attnum > 0 AND NOT attribute.attisdropped
      AND relation.relkind IN ('r', 'p')
    ORDER BY 3, 4, 5
    """
)


def _enum_uses(
    connection: sa.Connection, normal: Callable[[str | None], str | None]
) -> dict[EnumKey, list[EnumUse]]:
    uses: dict[EnumKey, list[EnumUse]] = {}
    for type_schema, type_name, schema, table, column, default in connection.execute(_USES_SQL):
        uses.setdefault((normal(type_schema), type_name), []).append(
            EnumUse(normal(schema), table, column, default)
        )
    return uses


def _columns_leaving(
    upgrade_ops: ops.UpgradeOps, normal: Callable[[str | None], str | None]
) -> set[tuple[str | None, str, str | None]]:
    """``(schema, table, column)`` of what this revision removes; column ``None``: all."""
    leaving: set[tuple[str | None, str, str | None]] = set()
    for op in upgrade_ops.ops:
        if isinstance(op, ops.DropTableOp):
            leaving.add((normal(op.schema), op.table_name, None))
        elif isinstance(op, ops.ModifyTableOps):
            for change in op.ops:
                if isinstance(change, ops.DropColumnOp) or (
                    isinstance(change, ops.AlterColumnOp) and change.modify_type is not None
                ):
                    leaving.add((normal(op.schema), op.table_name, change.column_name))
    return leaving


def _value_change(
    key: EnumKey, old: tuple[str, ...], new: tuple[str, ...], uses: Sequence[EnumUse]
) -> ops.MigrateOperation:
    schema, name = key
    if set(old) <= set(new) and [value for value in new if value in old] == list(old):
        return AddEnumValuesOp(schema, name, old, new, uses)
    label = _label(schema, name)
    if len(old) == len(new):
        renames = [(was, now) for was, now in zip(old, new, strict=True) if was != now]
        if all(was not in new and now not in old for was, now in renames):
            log.warning(
                "enum %s: %s written as renamed values (ALTER TYPE ... RENAME VALUE); if they "
                "were removed and others added, edit the revision",
                label,
                ", ".join(f"{was!r} -> {now!r}" for was, now in renames),
            )
            return RenameEnumValuesOp(schema, name, renames)
    log.warning(
        "enum %s: values removed or reordered (%s -> %s): written as a type swap that rewrites "
        "every table using it under an exclusive lock, and stops if a row holds a removed value",
        label,
        ", ".join(old),
        ", ".join(new),
    )
    return ReplaceEnumValuesOp(schema, name, old, new, uses)


def compare_enums(
    autogen_context: AutogenContext,
    upgrade_ops: ops.UpgradeOps,
    schemas: set[str | None],
) -> PriorityDispatchResult:
    """Compare the model's native enum types with the database's (an Alembic ``schema``
    comparator, run after the tables').

    :param schemas: the schemas autogenerate compares, ``None`` for the default one.
    """
    connection = autogen_context.connection
    assert connection is not None
    default_schema = connection.dialect.default_schema_name
    assert default_schema is not None

    def normal(schema: str | None) -> str | None:
        return None if schema == default_schema else schema

    compared = {normal(schema) for schema in schemas}
    declared = _declared_enums(autogen_context, normal)
    reflected = _reflected_enums(
        sa.inspect(connection), compared | {schema for schema, _ in declared}, default_schema
    )
    uses = _enum_uses(connection, normal)
    leaving = _columns_leaving(upgrade_ops, normal)
    first: list[ops.MigrateOperation] = []
    last: list[ops.MigrateOperation] = []
    for key, values in declared.items():
        if key not in reflected:
            log.info("Detected added enum %s", _label(*key))
            first.append(CreateEnumOp(key[0], key[1], values))
        elif reflected[key] != values:
            log.info("Detected changed values of enum %s", _label(*key))
            first.append(_value_change(key, reflected[key], values, uses.get(key, [])))
    for key, values in reflected.items():
        if key in declared or key[0] not in compared or key not in uses:
            continue
        if all(
            {(use.schema, use.table, None), (use.schema, use.table, use.column)} & leaving
            for use in uses[key]
        ):
            log.info("Detected removed enum %s", _label(*key))
            last.append(DropEnumOp(key[0], key[1], values))
    upgrade_ops.ops[:0] = first
    upgrade_ops.ops.extend(last)
    return PriorityDispatchResult.CONTINUE
