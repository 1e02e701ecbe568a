"""Builders for Alembic's ``include_name`` and ``include_object`` hooks.

``include_name`` runs on names *before* reflection, so a table it rejects is never reflected:
that is where filters on schemas and table names belong. ``include_object`` sees whole objects
(metadata and reflected) and handles what needs the object itself: ``info`` markers, "is this
table ours to drop", and the table patterns again for tables that exist only in the metadata
(``include_name`` never sees those, so without it an excluded model table would be proposed for
creation on every run).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, ParamSpec

if TYPE_CHECKING:
    from alembic.runtime.environment import IncludeNameFn, IncludeObjectFn, NameFilterParentNames
    from sqlalchemy import MetaData
    from sqlalchemy.sql.schema import SchemaItem

    from .ignored_tables import IgnoredTables

SKIP_INFO_KEY = "skip_autogenerate"
"""The ``info`` key that takes a table or column out of autogenerate."""

OBJECT_TYPES = ("table", "column", "index", "unique_constraint", "foreign_key_constraint")
"""The object types Alembic passes to ``include_object``."""

_Params = ParamSpec("_Params")


def metadata_table_keys(target_metadata: MetaData | Iterable[MetaData]) -> frozenset[str]:
    """Return the schema-qualified keys (``schema.table`` or ``table``) of every table.

    :param target_metadata: one MetaData or several.
    :returns: the union of their ``MetaData.tables`` keys.
    """
    from sqlalchemy import MetaData

    collections = [target_metadata] if isinstance(target_metadata, MetaData) else target_metadata
    return frozenset(key for metadata in collections for key in metadata.tables)


def _skipped_table_keys(
    target_metadata: MetaData | Iterable[MetaData], skip_info_key: str
) -> frozenset[str]:
    from sqlalchemy import MetaData

    collections = [target_metadata] if isinstance(target_metadata, MetaData) else target_metadata
    return frozenset(
        key
        for metadata in collections
        for key, table in metadata.tables.items()
        if _marked_to_skip(table, skip_info_key)
    )


def _matches(patterns: Sequence[str], *names: str) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in patterns for name in names)


def _table_selected(
    name: str, qualified: str, include_tables: Sequence[str], exclude_tables: Sequence[str]
) -> bool:
    if _matches(exclude_tables, name, qualified):
        return False
    return not include_tables or _matches(include_tables, name, qualified)


def include_name_filter(
    target_metadata: MetaData | Iterable[MetaData] | None = None,
    *,
    schemas: Iterable[str | None] | None = None,
    include_tables: Sequence[str] = (),
    exclude_tables: Sequence[str] = (),
    only_metadata_tables: bool = True,
    skip_info_key: str = SKIP_INFO_KEY,
    history_tables: Collection[str] = (),
    ignored: IgnoredTables | None = None,
) -> IncludeNameFn:
    """Build an ``include_name`` hook that filters schemas and tables before reflection.

    A table this hook rejects is never reflected: neither its columns nor its indexes are read,
    and autogenerate cannot propose dropping it.

    :param target_metadata: the model's MetaData (one or several); needed when
        ``only_metadata_tables`` is true.
    :param schemas: schemas to compare besides the default one, which is always compared.
        ``None`` compares every schema Alembic is shown (with ``include_schemas=True``, all of
        the database's schemas).
    :param include_tables: glob patterns; when given, only matching tables are compared. A
        pattern matches the bare or the schema-qualified name (``audit.*``).
    :param exclude_tables: glob patterns of tables never compared; exclusion wins over
        inclusion.
    :param only_metadata_tables: compare only the tables ``target_metadata`` defines, matched
        schema-qualified (``audit.event`` is not ``event``), so a database full of other
        applications' tables is neither reflected nor dropped.
    :param skip_info_key: tables of ``target_metadata`` whose ``info`` holds this key with a
        true value are not reflected either (see :func:`include_object_filter`).
    :param history_tables: keys of the tables the project's own revisions created and did
        not drop (:func:`lback_migrations.history_tables.history_tables`): compared even when
        ``target_metadata`` no longer defines them, so their removal from the models is
        reported.
    :param ignored: where to note every database table this hook hides, for the one line
        that lists them (:mod:`lback_migrations.ignored_tables`).
    :returns: a callable for ``context.configure(include_name=...)``.
    :raises ValueError: when ``only_metadata_tables`` is true and ``target_metadata`` is None.

    Example::

        context.configure(
            include_schemas=True,
            include_name=include_name_filter(Base.metadata, schemas=["audit"]),
        )
    """
    allowed_schemas = None if schemas is None else frozenset([None, *schemas])
    if only_metadata_tables and target_metadata is None:
        raise ValueError(
            "include_name_filter: only_metadata_tables=True needs target_metadata; "
            "pass the MetaData or only_metadata_tables=False"
        )
    known_tables = (
        metadata_table_keys(target_metadata)
        if only_metadata_tables and target_metadata is not None
        else None
    )
    skipped_tables = (
        _skipped_table_keys(target_metadata, skip_info_key)
        if target_metadata is not None
        else frozenset()
    )
    history = history_tables  # membership only: a lazy collection stays unread until asked

    def include_name(name: str | None, type_: str, parent_names: NameFilterParentNames) -> bool:
        if type_ == "schema":
            return allowed_schemas is None or name in allowed_schemas
        if type_ != "table" or name is None:
            return True
        qualified = parent_names.get("schema_qualified_table_name") or name
        included = (
            qualified not in skipped_tables
            and _table_selected(name, qualified, include_tables, exclude_tables)
            and (known_tables is None or qualified in known_tables or qualified in history)
        )
        if not included and ignored is not None:
            ignored.add(qualified)
        return included

    return include_name


def include_object_filter(
    *,
    skip_info_key: str = SKIP_INFO_KEY,
    drop_unknown_tables: bool = False,
    exclude_types: Collection[str] = (),
    exclude_names: Sequence[str] = (),
    include_tables: Sequence[str] = (),
    exclude_tables: Sequence[str] = (),
    history_tables: Collection[str] = (),
) -> IncludeObjectFn:
    """Build an ``include_object`` hook for the decisions that need the object itself.

    :param skip_info_key: a model table, column, index or constraint whose ``info`` holds this
        key with a true value is left out of autogenerate, together with its database
        counterpart: ``Column("legacy", Text, info={"skip_autogenerate": True})``.
    :param drop_unknown_tables: when false (the default), a table found in the database but not
        in the metadata is never proposed for dropping.
    :param exclude_types: object types autogenerate leaves alone, from :data:`OBJECT_TYPES`
        (``"index"``, ``"unique_constraint"``, ``"foreign_key_constraint"``, ...).
    :param exclude_names: glob patterns of object names (of any type) to leave alone.
    :param include_tables: glob patterns, as for :func:`include_name_filter`; applied here to
        tables on both sides, so a model table outside the patterns is not created either.
    :param exclude_tables: glob patterns of tables never created, changed or dropped.
    :param history_tables: keys of the tables the project's own revisions created and did not
        drop: proposed for dropping when the models no longer define them, whatever
        ``drop_unknown_tables`` says (they are the project's, not another application's).
    :returns: a callable for ``context.configure(include_object=...)``.
    :raises ValueError: when ``exclude_types`` names an unknown object type.
    """
    excluded_types = frozenset(exclude_types)
    history = history_tables  # membership only: a lazy collection stays unread until asked
    unknown = sorted(excluded_types.difference(OBJECT_TYPES))
    if unknown:
        raise ValueError(
            f"include_object_filter: unknown object type(s) {', '.join(map(repr, unknown))}; "
            f"use some of: {', '.join(OBJECT_TYPES)}"
        )

    def include_object(
        obj: SchemaItem,
        name: str | None,
        type_: str,
        reflected: bool,
        compare_to: SchemaItem | None,
    ) -> bool:
        if type_ in excluded_types:
            return False
        if name is not None and _matches(exclude_names, name):
            return False
        qualified = None
        if type_ == "table" and name is not None:
            schema = getattr(obj, "schema", None)
            qualified = f"{schema}.{name}" if schema else name
            if not _table_selected(name, qualified, include_tables, exclude_tables):
                return False
        model_object = compare_to if reflected else obj
        if model_object is not None and _marked_to_skip(model_object, skip_info_key):
            return False
        return not (
            type_ == "table"
            and reflected
            and compare_to is None
            and not drop_unknown_tables
            and qualified not in history
        )

    return include_object


def _marked_to_skip(obj: SchemaItem, key: str) -> bool:
    info: dict[Any, Any] | None = getattr(obj, "info", None)
    return bool(info and info.get(key))


def all_of(*filters: Callable[_Params, bool]) -> Callable[_Params, bool]:
    """Combine ``include_name`` (or ``include_object``) hooks: include what every one includes.

    The hooks run in order and stop at the first that excludes.

    :param filters: at least one hook, all of the same kind.
    :returns: one hook of that kind.
    :raises ValueError: when no hook is given.

    Example::

        def not_postgis(obj, name, type_, reflected, compare_to):
            return name != "spatial_ref_sys"

        context.configure(include_object=all_of(include_object_filter(), not_postgis))
    """
    if not filters:
        raise ValueError("all_of needs at least one filter")

    def include(*args: _Params.args, **kwargs: _Params.kwargs) -> bool:
        return all(accept(*args, **kwargs) for accept in filters)

    return include


def any_of(*filters: Callable[_Params, bool]) -> Callable[_Params, bool]:
    """Combine ``include_name`` (or ``include_object``) hooks: include what any one includes.

    The hooks run in order and stop at the first that includes.

    :param filters: at least one hook, all of the same kind.
    :returns: one hook of that kind.
    :raises ValueError: when no hook is given.
    """
    if not filters:
        raise ValueError("any_of needs at least one filter")

    def include(*args: _Params.args, **kwargs: _Params.kwargs) -> bool:
        return any(accept(*args, **kwargs) for accept in filters)

    return include
