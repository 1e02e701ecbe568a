"""Builders for Alembic's ``include_name`` and ``include_object`` hooks.

``include_name`` runs on names *before* reflection, so a table it rejects is never reflected:
that is where filters on schemas and table names belong. ``include_object`` sees whole objects
(metadata and reflected) and handles what needs the object itself: ``info`` markers and
"is this table ours to drop".
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from alembic.runtime.environment import IncludeNameFn, IncludeObjectFn, NameFilterParentNames
    from sqlalchemy import MetaData
    from sqlalchemy.sql.schema import SchemaItem

SKIP_INFO_KEY = "skip_autogenerate"

_Filter = TypeVar("_Filter", bound=Callable[..., bool])


def metadata_table_keys(target_metadata: MetaData | Iterable[MetaData]) -> frozenset[str]:
    """Return the schema-qualified keys of every table in ``target_metadata``."""
    from sqlalchemy import MetaData

    collections = [target_metadata] if isinstance(target_metadata, MetaData) else target_metadata
    return frozenset(key for metadata in collections for key in metadata.tables)


def _matches(patterns: Sequence[str], *names: str) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in patterns for name in names)


def include_name_filter(
    target_metadata: MetaData | Iterable[MetaData] | None = None,
    *,
    schemas: Iterable[str | None] | None = None,
    include_tables: Sequence[str] = (),
    exclude_tables: Sequence[str] = (),
    only_metadata_tables: bool = True,
) -> IncludeNameFn:
    """Build an ``include_name`` hook that filters schemas and tables before reflection.

    :param target_metadata: the model's MetaData (one or several); needed when
        ``only_metadata_tables`` is true.
    :param schemas: schemas to compare; the default schema (``None``) is always included.
        ``None`` compares every schema Alembic is shown.
    :param include_tables: glob patterns; when given, only matching tables are compared. A
        pattern matches the bare or the schema-qualified name (``audit.*``).
    :param exclude_tables: glob patterns of tables never compared.
    :param only_metadata_tables: compare only the tables ``target_metadata`` defines, so a
        database full of other applications' tables is neither reflected nor dropped.
    :returns: a callable for ``context.configure(include_name=...)``.

    Example::

        context.configure(
            include_schemas=True,
            include_name=include_name_filter(Base.metadata, schemas=["audit"]),
        )
    """
    allowed_schemas = None if schemas is None else frozenset([None, *schemas])
    if only_metadata_tables and target_metadata is None:
        raise ValueError("only_metadata_tables=True needs target_metadata")
    known_tables = (
        metadata_table_keys(target_metadata)
        if only_metadata_tables and target_metadata is not None
        else frozenset()
    )

    def include_name(name: str | None, type_: str, parent_names: NameFilterParentNames) -> bool:
        if type_ == "schema":
            return allowed_schemas is None or name in allowed_schemas
        if type_ != "table" or name is None:
            return True
        qualified = str(parent_names.get("schema_qualified_table_name") or name)
        if _matches(exclude_tables, name, qualified):
            return False
        if include_tables and not _matches(include_tables, name, qualified):
            return False
        return not only_metadata_tables or qualified in known_tables

    return include_name


def include_object_filter(
    *,
    skip_info_key: str = SKIP_INFO_KEY,
    drop_unknown_tables: bool = False,
    exclude_types: Collection[str] = (),
    exclude_names: Sequence[str] = (),
) -> IncludeObjectFn:
    """Build an ``include_object`` hook for the decisions that need the object itself.

    :param skip_info_key: a table or column whose ``info`` holds this key with a true value is
        left out of autogenerate, together with its database counterpart.
    :param drop_unknown_tables: when false (the default), a table found in the database but not
        in the metadata is never proposed for dropping.
    :param exclude_types: object types to leave alone (``"index"``, ``"unique_constraint"``,
        ``"foreign_key_constraint"``, ``"column"``, ``"table"``).
    :param exclude_names: glob patterns of object names to leave alone.
    :returns: a callable for ``context.configure(include_object=...)``.

    Example::

        Column("legacy", Text, info={"skip_autogenerate": True})
    """
    excluded_types = frozenset(exclude_types)

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
        model_object = compare_to if reflected else obj
        if model_object is not None and _marked_to_skip(model_object, skip_info_key):
            return False
        return not (
            type_ == "table" and reflected and compare_to is None and not drop_unknown_tables
        )

    return include_object


def _marked_to_skip(obj: SchemaItem, key: str) -> bool:
    info: dict[Any, Any] | None = getattr(obj, "info", None)
    return bool(info and info.get(key))


def all_of(*filters: _Filter) -> _Filter:
    """Combine ``include_name`` or ``include_object`` hooks: include what every one includes."""

    def include(*args: Any) -> bool:
        return all(accept(*args) for accept in filters)

    return include  # type: ignore[return-value]


def any_of(*filters: _Filter) -> _Filter:
    """Combine ``include_name`` or ``include_object`` hooks: include what any one includes."""

    def include(*args: Any) -> bool:
        return any(accept(*args) for accept in filters)

    return include  # type: ignore[return-value]
