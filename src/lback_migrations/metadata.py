"""Finding the target MetaData objects named by ``lback.target_metadata``."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from sqlalchemy import MetaData

from .errors import ConfigurationError, DuplicateTableError

TARGET_METADATA_KEY = "lback.target_metadata"
_FORMAT_HINT = "write it as module.path:attribute, e.g. myapp.models:Base.metadata"


def import_metadata(
    path: str, key: str = TARGET_METADATA_KEY, source: str | None = None
) -> MetaData:
    """Import the MetaData named by ``path`` (``module.path:attribute.chain``).

    :param key: the configuration key ``path`` came from, named in errors.
    :param source: the file ``key`` came from, named in errors.
    :raises ConfigurationError: when the module or attribute is missing or is not a MetaData.
    """
    module_name, colon, attribute_chain = path.partition(":")
    if not colon or not module_name or not attribute_chain:
        raise ConfigurationError(key, f"{path!r} is not an import path", _FORMAT_HINT, source)
    try:
        target: object = importlib.import_module(module_name)
    except ImportError as error:
        raise ConfigurationError(
            key,
            f"cannot import {module_name!r} ({error})",
            "check the module path and that prepend_sys_path puts your project on sys.path",
            source,
        ) from error
    for attribute in attribute_chain.split("."):
        try:
            target = getattr(target, attribute)
        except AttributeError as error:
            raise ConfigurationError(
                key,
                f"{path!r}: {type(target).__name__} {getattr(target, '__name__', '')!s} "
                f"has no attribute {attribute!r}".replace("  ", " "),
                _FORMAT_HINT,
                source,
            ) from error
    if not isinstance(target, MetaData):
        raise ConfigurationError(
            key,
            f"{path!r} is a {type(target).__name__}, not a sqlalchemy MetaData",
            "point it at the MetaData itself, e.g. Base.metadata rather than Base",
            source,
        )
    return target


def import_target_metadata(
    paths: Sequence[str], key: str = TARGET_METADATA_KEY, source: str | None = None
) -> list[MetaData]:
    """Import every MetaData in ``paths`` and check that no table is defined twice.

    :raises ConfigurationError: as :func:`import_metadata`.
    :raises DuplicateTableError: when two of them define the same schema-qualified table.
    """
    loaded = [(path, import_metadata(path, key, source)) for path in paths]
    check_unique_tables(loaded, key)
    return [metadata for _, metadata in loaded]


def check_unique_tables(named_metadata: Sequence[tuple[str, MetaData]], key: str) -> None:
    """Raise :class:`DuplicateTableError` when two MetaData objects define the same table.

    :param named_metadata: ``(where it came from, metadata)`` pairs.
    :param key: the configuration key to name in the error.
    """
    owners: dict[str, str] = {}
    for name, metadata in named_metadata:
        for table_key in metadata.tables:
            if table_key in owners and owners[table_key] != name:
                raise DuplicateTableError(table_key, owners[table_key], name, key)
            owners[table_key] = name
