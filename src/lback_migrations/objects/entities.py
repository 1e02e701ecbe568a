"""Views, materialized views, functions, triggers and policies, through alembic-utils.

``lback.entities = myapp.db:ENTITIES`` names lists of alembic-utils entities (``PGView``,
``PGMaterializedView``, ``PGFunction``, ``PGTrigger``, ``PGPolicy``, ...). On PostgreSQL they
are registered with alembic-utils, whose comparator proposes creating, replacing and dropping
them (run by the ``lback.entities`` plugin after the tables are compared:
:mod:`~lback_migrations.objects.entity_comparison`), and they pass the filters tables pass:
``lback.include_tables`` / ``exclude_tables`` patterns on their names, ``lback.schemas`` on
their schemas, and a database entity the entities do not name is dropped only with
``lback.drop_unknown_tables``.

alembic-utils is imported only here and in :mod:`~lback_migrations.objects.entity_comparison`,
and these modules only when ``lback.entities`` is set.
"""

from __future__ import annotations

import importlib
import logging
import sys
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from alembic.runtime.environment import IncludeObjectFn
    from alembic_utils.replaceable_entity import ReplaceableEntity

log = logging.getLogger(__name__)

KEY = "lback.entities"
EXTRA = "postgresql"
ENTITY_TYPES = frozenset(
    {"view", "materialized_view", "function", "trigger", "policy", "extension", "grant_table"}
)
"""The ``type_`` alembic-utils hands to ``include_object`` for its entities."""


def _missing_extra(source: str | None) -> ConfigurationError:
    return ConfigurationError(
        KEY,
        "needs alembic-utils, which is not installed",
        f"pip install 'lback-migrations[{EXTRA}]'",
        source,
    )


def _import_list(path: str, source: str | None) -> list[Any]:
    module_name, colon, attribute_chain = path.partition(":")
    if not colon or not module_name or not attribute_chain:
        raise ConfigurationError(
            KEY, f"{path!r} is not an import path", "write it as myapp.db:ENTITIES", source
        )
    try:
        target: Any = importlib.import_module(module_name)
        for attribute in attribute_chain.split("."):
            target = getattr(target, attribute)
    except (ImportError, AttributeError) as error:
        raise ConfigurationError(
            KEY, f"cannot import {path} ({error})", "name a module:attribute that exists", source
        ) from error
    if not isinstance(target, list | tuple):
        raise ConfigurationError(
            KEY,
            f"{path} is a {type(target).__name__}, not a list of alembic-utils entities",
            "point it at a list such as ENTITIES = [PGView(...), PGFunction(...)]",
            source,
        )
    return list(target)


def import_entities(paths: Sequence[str], source: str | None = None) -> list[ReplaceableEntity]:
    """Import the entity lists named by ``paths``, registering nothing.

    :param paths: ``module:attribute`` import paths of lists of entities.
    :param source: the file the option came from, named in errors.
    :returns: every entity, in configuration order.
    :raises ConfigurationError: naming ``lback.entities`` when alembic-utils is missing, a path
        cannot be imported, or it names something else than a list of entities.
    """
    try:
        from alembic_utils.replaceable_entity import ReplaceableEntity
    except ImportError as error:
        raise _missing_extra(source) from error
    registered_comparison()
    entities: list[ReplaceableEntity] = []
    for path in paths:
        for entity in _import_list(path, source):
            if not isinstance(entity, ReplaceableEntity):
                raise ConfigurationError(
                    KEY,
                    f"{path} holds {entity!r}, which is not an alembic-utils entity",
                    "list only PGView, PGMaterializedView, PGFunction, PGTrigger, PGPolicy, ...",
                    source,
                )
            entities.append(entity)
    return entities


def load_entities(paths: Sequence[str], source: str | None = None) -> list[ReplaceableEntity]:
    """Import the entity lists named by ``paths`` and register them with alembic-utils, whose
    comparison then proposes them (alembic-utils keeps one registry per process).

    :param paths: ``module:attribute`` import paths of lists of entities.
    :param source: the file the option came from, named in errors.
    :returns: every entity, in configuration order.
    :raises ConfigurationError: as :func:`import_entities`.
    """
    entities = import_entities(paths, source)
    from alembic_utils.replaceable_entity import register_entities

    register_entities(entities)
    return entities


def registered_comparison() -> Callable[..., None]:
    """alembic-utils' comparison of the registered entities, taken out of Alembic's global
    comparator list, where importing alembic-utils puts it.

    From there Alembic would run it in every autogenerate, on every dialect, before its own
    table comparison (and it reads ``include_schemas`` from options only
    ``context.configure`` fills); the ``lback.entities`` plugin runs it instead, on PostgreSQL,
    after the tables (:mod:`~lback_migrations.objects.entity_comparison`).
    """
    from alembic_utils.replaceable_entity import compare_registered_entities

    _withdraw(compare_registered_entities)
    return compare_registered_entities


def withdraw_registered_comparison() -> None:
    """Take alembic-utils' comparison out of Alembic's global comparator list if alembic-utils
    has been imported (by the models, say), without importing it.

    ``lback.entities`` on another dialect than PostgreSQL: the entities are ignored there, and
    the comparison would query PostgreSQL's catalogs (it does whenever schemas are compared).
    """
    module = sys.modules.get("alembic_utils.replaceable_entity")
    if module is not None:
        _withdraw(module.compare_registered_entities)


def _withdraw(function: Callable[..., None]) -> None:
    """Alembic's dispatcher has no way to remove a function: edit its lists in place."""
    from alembic.autogenerate import comparators

    for functions in comparators._registry.values():
        functions[:] = [entry for entry in functions if entry[0] is not function]


def _bare_name(signature: str) -> str:
    """``f(a integer)`` names the function ``f``; a trigger's or policy's signature is its name."""
    return signature.partition("(")[0].strip().strip('"')


def entity_filter(
    entities: Sequence[ReplaceableEntity],
    *,
    include_tables: Sequence[str] = (),
    exclude_tables: Sequence[str] = (),
    schemas: Sequence[str] = (),
    drop_unknown: bool = False,
) -> IncludeObjectFn:
    """Build an ``include_object`` hook that filters alembic-utils entities as tables are.

    alembic-utils names an entity ``schema.signature`` and gives its kind as ``type_``.

    :param entities: the registered entities; a database entity not among them is left alone
        unless ``drop_unknown``.
    :param include_tables: glob patterns; when given, only entities whose bare or
        schema-qualified name matches are compared.
    :param exclude_tables: glob patterns of entities never compared.
    :param schemas: schemas compared besides ``public``; empty compares only ``public`` and the
        schemas the entities name.
    :param drop_unknown: let autogenerate drop database entities ``entities`` does not name.
    :returns: a callable to combine with the tables' ``include_object`` hook.
    """
    known = {(entity.type_, entity.schema, entity.signature) for entity in entities}
    allowed_schemas = {"public", *schemas, *(entity.schema for entity in entities)}

    def include_object(
        obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        if type_ not in ENTITY_TYPES:
            return True
        schema, signature = obj.schema, obj.signature
        bare = _bare_name(signature)
        names = (bare, f"{schema}.{bare}")
        if any(fnmatchcase(n, pattern) for pattern in exclude_tables for n in names):
            return False
        if include_tables and not any(
            fnmatchcase(n, pattern) for pattern in include_tables for n in names
        ):
            return False
        if schema not in allowed_schemas:
            return False
        return not reflected or drop_unknown or (type_, schema, signature) in known

    return include_object
