"""What depends on each view, materialized view and function: what dropping it takes along.

Replacing a view its ``CREATE OR REPLACE`` refuses, a materialized view (which has no
``CREATE OR REPLACE``), or a function written as ``drop_entity`` + ``create_entity`` drops the
object first. PostgreSQL then refuses while other objects depend on it (views reading it,
triggers calling it, column defaults), drops them all with ``CASCADE``, and always drops with it
what it owns (a materialized view's indexes, a view's triggers). The lint rule
:class:`~lback_migrations.lint.rules.replaced_entity_dependants.ReplacedEntityDependants`
judges a revision's alembic-utils operations by these facts, read from one of two places:

- the database, when it answers (:func:`database_dependants`): ``pg_depend`` lists every object
  that depends on another, with how (``n``: blocks a drop without ``CASCADE``; ``a``: dropped
  with it); a view's dependency is recorded on the rewrite rule of the view that reads it
  (``pg_rewrite``), which names that view;
- else the entities the project declares in ``lback.entities`` (:func:`declared_dependants`):
  the tables and functions each declared view's query reads, and the function each declared
  trigger executes, read with sqlglot. Objects the database holds outside the declared entities
  are not known this way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

VIEW = "view"
MATERIALIZED_VIEW = "materialized_view"
FUNCTION = "function"


class EntityDependants(NamedTuple):
    """The objects that depend on one view, materialized view or function.

    :param kind: ``view``, ``materialized_view`` or ``function`` (alembic-utils' ``type_``).
    :param schema: the object's schema.
    :param name: its name (a function's without its arguments).
    :param blocking: the objects that make a drop without ``CASCADE`` fail, and that
        ``CASCADE`` drops (``view public.cheap_item_ids``, ``trigger audit on table item``).
    :param owned: the objects dropped with it in any case (``index cheap_item_price``).
    """

    kind: str
    schema: str
    name: str
    blocking: tuple[str, ...] = ()
    owned: tuple[str, ...] = ()


_RELATION_KINDS = {"v": VIEW, "m": MATERIALIZED_VIEW}
# Every object that depends on a view, materialized view or function, described by PostgreSQL
# itself; a view that reads another depends through its rewrite rule, described as its view.
_DEPENDANTS_SQL = """
SELECT kind, schema, name, deptype, description FROM (
    SELECT c.relkind::text AS kind, n.nspname AS schema, c.relname AS name, d.deptype,
        CASE WHEN r.oid IS NOT NULL THEN pg_describe_object('pg_class'::regclass, r.ev_class, 0)
        ELSE pg_describe_object(d.classid, d.objid, 0) END AS description,
        r.ev_class IS NOT NULL AND r.ev_class = c.oid AS own_rule
    FROM pg_depend d
    JOIN pg_class c ON d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
    WHERE c.relkind IN ('v', 'm') AND d.deptype IN ('n', 'a')
    UNION ALL
    SELECT 'f', n.nspname, p.proname, d.deptype,
        CASE WHEN r.oid IS NOT NULL THEN pg_describe_object('pg_class'::regclass, r.ev_class, 0)
        ELSE pg_describe_object(d.classid, d.objid, 0) END,
        false
    FROM pg_depend d
    JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND d.refobjid = p.oid
    JOIN pg_namespace n ON n.oid = p.pronamespace
    LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
    WHERE d.deptype IN ('n', 'a')
) AS found
WHERE NOT own_rule AND schema NOT IN ('pg_catalog', 'information_schema')
ORDER BY schema, name, description
"""


def database_dependants(connection: Connection) -> tuple[EntityDependants, ...]:
    """Read, in one query, what depends on each view, materialized view and function.

    :param connection: a connection to a PostgreSQL database.
    :returns: one entry per object something depends on, ordered by schema and name.
    """
    from sqlalchemy import text

    found: dict[tuple[str, str, str], tuple[list[str], list[str]]] = {}
    for kind, schema, name, deptype, description in connection.execute(text(_DEPENDANTS_SQL)):
        key = (_RELATION_KINDS.get(kind, FUNCTION), schema, name)
        blocking, owned = found.setdefault(key, ([], []))
        chosen = blocking if deptype == "n" else owned
        if description not in chosen:
            chosen.append(description)
    return tuple(
        EntityDependants(kind, schema, name, tuple(blocking), tuple(owned))
        for (kind, schema, name), (blocking, owned) in found.items()
    )


_TRIGGER_FUNCTION = re.compile(
    r"\bEXECUTE\s+(?:FUNCTION|PROCEDURE)\s+(?:\"?(\w+)\"?\.)?\"?(\w+)\"?\s*\(", re.IGNORECASE
)
_TRIGGER_TABLE = re.compile(r"\bON\s+((?:\"?\w+\"?\.)?\"?\w+\"?)", re.IGNORECASE)


def declared_dependants(entities: Iterable[Any]) -> tuple[EntityDependants, ...]:
    """Work out what depends on what among alembic-utils entities, from their definitions.

    A declared view or materialized view depends on every relation and function its query
    names; a declared trigger on the function it executes. Names without a schema are taken in
    ``public``.

    :param entities: alembic-utils entities (what ``lback.entities`` names).
    :returns: one entry per declared object another declared object depends on.
    """
    from sqlglot import exp, parse_one
    from sqlglot.errors import SqlglotError

    found: dict[tuple[str, str], list[str]] = {}

    def depends(schema: str | None, name: str, dependant: str) -> None:
        found.setdefault((schema or "public", name), []).append(dependant)

    for entity in entities:
        kind = getattr(entity, "type_", None)
        if kind in (VIEW, MATERIALIZED_VIEW):
            described = f"{kind.replace('_', ' ')} {entity.schema}.{entity.signature}"
            try:
                query = parse_one(entity.definition, read="postgres")
            except SqlglotError:
                continue
            for table in query.find_all(exp.Table):
                depends(table.db or None, table.name, described)
            for call in query.find_all(exp.Anonymous):
                depends(None, call.name, described)
        elif kind == "trigger":
            called = _TRIGGER_FUNCTION.search(entity.definition)
            on_table = _TRIGGER_TABLE.search(entity.definition)
            if called is not None:
                on = f" on table {on_table.group(1)}" if on_table is not None else ""
                depends(called.group(1), called.group(2), f"trigger {entity.signature}{on}")
    kinds = {
        (entity.schema, entity.signature.partition("(")[0].strip()): entity.type_
        for entity in entities
        if getattr(entity, "type_", None) in (VIEW, MATERIALIZED_VIEW, FUNCTION)
    }
    return tuple(
        EntityDependants(kinds[key], key[0], key[1], tuple(dict.fromkeys(dependants)))
        for key, dependants in sorted(found.items())
        if key in kinds
    )


def dependants_json(dependants: tuple[EntityDependants, ...] | None) -> list[list[Any]] | None:
    """The facts as JSON values, for the lint cache's fingerprint."""
    if dependants is None:
        return None
    return [[*entry[:3], list(entry.blocking), list(entry.owned)] for entry in dependants]
