"""The schema of the shadow database as the SQLAlchemy inspector sees it, and its differences.

A :class:`SchemaSnapshot` holds, per table, the columns (type, nullability, default, comment),
the primary key, foreign keys, indexes, unique and check constraints and the table comment,
plus the database's enumerated types; each as sorted text so that two snapshots compare with
``==``. The multi-table inspector methods read each kind for every table in one query.

On PostgreSQL the same facts are read from the catalogs in a single query, in the server's own
words (``format_type``, ``pg_get_constraintdef``, ``pg_get_indexdef``): the inspector needs a
dozen round trips per snapshot, and a snapshot is taken twice per revision (measured with
``benchmarks/verify_overhead.py``, see the Benchmarks page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from sqlalchemy.engine.reflection import Inspector


@dataclass(frozen=True)
class SchemaSnapshot:
    """The reflected schema: ``tables`` maps each table to its sorted description lines.

    :param tables: table name to the lines describing it (``column email VARCHAR(50) NULL``).
    :param enums: the enumerated types (PostgreSQL), ``name(value, ...)`` each.
    :param primary_keys: each table's primary key columns (empty for a table without one).
    """

    tables: Mapping[str, tuple[str, ...]]
    enums: tuple[str, ...] = ()
    primary_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def differences(self, other: SchemaSnapshot) -> list[str]:
        """What ``other`` has that this snapshot has not (``+``) and the reverse (``-``)."""
        found: list[str] = []
        for table in sorted(set(self.tables) | set(other.tables)):
            mine, theirs = self.tables.get(table), other.tables.get(table)
            if mine is None:
                found.append(f"+ table {table}")
            elif theirs is None:
                found.append(f"- table {table}")
            else:
                found += [f"- {table}: {line}" for line in mine if line not in theirs]
                found += [f"+ {table}: {line}" for line in theirs if line not in mine]
        found += [f"- {enum}" for enum in self.enums if enum not in other.enums]
        found += [f"+ {enum}" for enum in other.enums if enum not in self.enums]
        return found


def take_snapshot(connection: sa.Connection, ignored: Iterable[str] = ()) -> SchemaSnapshot:
    """Reflect the default schema of ``connection``'s database.

    :param ignored: tables left out (Alembic's version table).
    """
    if connection.dialect.name == "postgresql":
        return _postgresql_snapshot(connection, set(ignored))
    inspector = sa.inspect(connection)
    skip = set(ignored)
    names = [name for name in inspector.get_table_names() if name not in skip]
    if not names:
        return SchemaSnapshot({}, _enums(inspector))
    lines: dict[str, list[str]] = {name: [] for name in names}
    dialect = connection.dialect

    def collect(
        method: Callable[..., Mapping[tuple[str | None, str], Any]],
        describe: Callable[[Any], Iterable[str]],
    ) -> None:
        try:
            reflected = method(filter_names=names)
        except NotImplementedError:
            return
        for (_, table), items in reflected.items():
            if table in lines:
                lines[table] += describe(items)

    collect(inspector.get_multi_columns, lambda columns: [_column(c, dialect) for c in columns])
    primary_keys: dict[str, tuple[str, ...]] = {}
    for (_, table), pk in inspector.get_multi_pk_constraint(filter_names=names).items():
        primary_keys[table] = tuple(pk.get("constrained_columns") or ())
        lines[table].append(f"primary key {_names(pk)}")
    collect(inspector.get_multi_foreign_keys, lambda fks: [_foreign_key(fk) for fk in fks])
    collect(inspector.get_multi_indexes, lambda indexes: [_index(index) for index in indexes])
    collect(
        inspector.get_multi_unique_constraints,
        lambda uniques: [f"unique {u.get('name')} {_names(u)}" for u in uniques],
    )
    collect(
        inspector.get_multi_check_constraints,
        lambda checks: [f"check {c.get('name')} {c.get('sqltext')}" for c in checks],
    )
    collect(
        inspector.get_multi_table_comment,
        lambda comment: [f"comment {comment['text']}"] if comment.get("text") else [],
    )
    return SchemaSnapshot(
        {name: tuple(sorted(table_lines)) for name, table_lines in lines.items()},
        _enums(inspector),
        primary_keys,
    )


def _names(item: Mapping[str, Any]) -> str:
    return "(" + ", ".join(str(name) for name in item.get("constrained_columns") or ()) + ")"


def _type_text(type_: Any, dialect: sa.Dialect) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # a reflected type some dialects cannot compile back: its repr is stable
        return repr(type_)


def _column(column: Mapping[str, Any], dialect: sa.Dialect) -> str:
    text = f"column {column['name']} {_type_text(column['type'], dialect)}"
    text += " NULL" if column.get("nullable", True) else " NOT NULL"
    if column.get("default") is not None:
        text += f" DEFAULT {column['default']}"
    if column.get("computed"):
        text += f" COMPUTED {column['computed'].get('sqltext')}"
    if column.get("comment"):
        text += f" COMMENT {column['comment']}"
    return text


def _foreign_key(fk: Mapping[str, Any]) -> str:
    target = f"{fk.get('referred_table')}({', '.join(fk.get('referred_columns') or ())})"
    options = " ".join(f"{key}={value}" for key, value in sorted((fk.get("options") or {}).items()))
    return f"foreign key {fk.get('name')} {_names(fk)} -> {target} {options}".rstrip()


def _index(index: Mapping[str, Any]) -> str:
    columns = ", ".join(str(name) for name in index.get("column_names") or ())
    unique = "unique " if index.get("unique") else ""
    return f"{unique}index {index.get('name')} ({columns})"


def _enums(inspector: Inspector) -> tuple[str, ...]:
    get_enums = getattr(inspector, "get_enums", None)
    if get_enums is None:
        return ()
    return tuple(
        sorted(f"enum {enum['name']}({', '.join(enum['labels'])})" for enum in get_enums())
    )


_POSTGRESQL_SCHEMA = """
WITH tables AS (
    SELECT c.oid, c.relname::text AS relname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
)
SELECT t.relname, 'table', '', 0 FROM tables t
UNION ALL
SELECT t.relname, 'line', 'column ' || a.attname::text || ' '
    || format_type(a.atttypid, a.atttypmod)
    || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END
    || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
    || CASE WHEN a.attgenerated::text <> '' THEN ' GENERATED' ELSE '' END
    || CASE WHEN a.attidentity::text <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END
    || COALESCE(' COMMENT ' || col_description(t.oid, a.attnum), ''), 0
FROM tables t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = t.oid AND d.adnum = a.attnum
UNION ALL
SELECT t.relname, 'line', 'constraint ' || con.conname::text || ' '
    || pg_get_constraintdef(con.oid), 0
FROM tables t JOIN pg_constraint con ON con.conrelid = t.oid
UNION ALL
SELECT t.relname, 'line', 'index ' || pg_get_indexdef(i.indexrelid), 0
FROM tables t JOIN pg_index i ON i.indrelid = t.oid
UNION ALL
SELECT t.relname, 'line', 'comment ' || obj_description(t.oid, 'pg_class'), 0
FROM tables t WHERE obj_description(t.oid, 'pg_class') IS NOT NULL
UNION ALL
SELECT t.relname, 'key', a.attname::text, k.position
FROM tables t JOIN pg_constraint con ON con.conrelid = t.oid AND con.contype = 'p'
CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
UNION ALL
SELECT NULL, 'enum', 'enum ' || ty.typname::text || '('
    || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) || ')', 0
FROM pg_type ty JOIN pg_enum e ON e.enumtypid = ty.oid
JOIN pg_namespace n ON n.oid = ty.typnamespace AND n.nspname = current_schema()
GROUP BY ty.typname
"""


def _postgresql_snapshot(connection: sa.Connection, ignored: set[str]) -> SchemaSnapshot:
    lines: dict[str, list[str]] = {}
    keys: dict[str, list[tuple[int, str]]] = {}
    enums: list[str] = []
    for table, kind, text, position in connection.exec_driver_sql(_POSTGRESQL_SCHEMA):
        if kind == "enum":
            enums.append(text)
        elif table in ignored:
            continue
        elif kind == "table":
            lines.setdefault(table, [])
            keys.setdefault(table, [])
        elif kind == "key":
            keys.setdefault(table, []).append((position, text))
        else:
            lines.setdefault(table, []).append(text)
    return SchemaSnapshot(
        {table: tuple(sorted(table_lines)) for table, table_lines in lines.items()},
        tuple(sorted(enums)),
        {table: tuple(name for _, name in sorted(columns)) for table, columns in keys.items()},
    )
