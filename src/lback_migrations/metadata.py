"""Finding the target MetaData objects named by ``lback.target_metadata``."""

from __future__ import annotations

import importlib
import os
import traceback
from collections.abc import Sequence

from sqlalchemy import MetaData

from .errors import ConfigurationError, DuplicateTableError, ModelImportError

TARGET_METADATA_KEY = "lback.target_metadata"
_FORMAT_HINT = "write it as module.path:attribute, e.g. myapp.models:Base.metadata"


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _user_frame(error: ImportError) -> traceback.FrameSummary | None:
    """The innermost frame of the user's code in ``error``'s traceback: where the failing
    import is written. ``None`` when the named module itself was not found."""
    machinery = os.path.dirname(importlib.__file__)
    frames = traceback.extract_tb(error.__traceback__)[1:]
    user = [
        frame
        for frame in frames
        if not frame.filename.startswith("<frozen ")
        and os.path.dirname(frame.filename) != machinery
    ]
    return user[-1] if user else None


def _shown_path(filename: str) -> str:
    relative = os.path.relpath(filename)
    return filename if relative.startswith("..") else relative


def _describe(target: object) -> str:
    if isinstance(target, type):
        return f"the class {target.__name__}"
    return f"of type {type(target).__name__}"


def import_metadata(
    path: str, key: str = TARGET_METADATA_KEY, source: str | None = None
) -> MetaData:
    """Import the MetaData named by ``path`` (``module.path:attribute.chain``).

    :param path: ``module:attribute``, the attribute possibly dotted (``Base.metadata``).
    :param key: the configuration key ``path`` came from, named in errors.
    :param source: the file ``key`` came from, named in errors.
    :returns: the MetaData object.
    :raises ConfigurationError: when the path is malformed, the module cannot be imported, an
        attribute is missing or the object is not a MetaData.
    """
    module_name, colon, attribute_chain = path.partition(":")
    if not colon or not module_name or not attribute_chain:
        raise ConfigurationError(key, f"{path!r} is not an import path", _FORMAT_HINT, source)
    try:
        target: object = importlib.import_module(module_name)
    except ImportError as error:
        raised_at = _user_frame(error)
        if raised_at is not None:
            raise ModelImportError(
                _shown_path(raised_at.filename),
                raised_at.lineno,
                module_name,
                _one_line(error),
                key,
                source,
            ) from error
        raise ConfigurationError(
            key,
            f"cannot import {module_name!r} ({_one_line(error)})",
            "check the module path and that prepend_sys_path puts your project on sys.path",
            source,
        ) from error
    resolved = module_name
    for attribute in attribute_chain.split("."):
        try:
            target = getattr(target, attribute)
        except AttributeError as error:
            raise ConfigurationError(
                key,
                f"{resolved} has no attribute {attribute!r}",
                "name an attribute that exists, e.g. myapp.models:Base.metadata",
                source,
            ) from error
        resolved = f"{resolved}{'.' if ':' in resolved else ':'}{attribute}"
    if not isinstance(target, MetaData):
        inner = getattr(target, "metadata", None)
        fix = (
            f"write {path}.metadata"
            if isinstance(inner, MetaData)
            else "point it at a MetaData object, e.g. myapp.models:Base.metadata"
        )
        raise ConfigurationError(
            key, f"{path} is {_describe(target)}, not a sqlalchemy MetaData", fix, source
        )
    return target


def import_target_metadata(
    paths: Sequence[str], key: str = TARGET_METADATA_KEY, source: str | None = None
) -> list[MetaData]:
    """Import every MetaData in ``paths``, once each, and check that no table is defined twice.

    The same MetaData reached through two paths (or one path listed twice) is kept once, at its
    first position: Alembic itself rejects a list holding one MetaData twice.

    :param paths: ``module:attribute`` import paths, in configuration order.
    :param key: the configuration key the paths came from, named in errors.
    :param source: the file ``key`` came from, named in errors.
    :returns: the distinct MetaData objects, in configuration order.
    :raises ConfigurationError: as :func:`import_metadata`.
    :raises DuplicateTableError: when two of them define the same schema-qualified table.
    """
    loaded: list[tuple[str, MetaData]] = []
    for path in paths:
        metadata = import_metadata(path, key, source)
        if all(metadata is not seen for _, seen in loaded):
            loaded.append((path, metadata))
    check_unique_tables(loaded, f"{key} in {source}" if source else key)
    return [metadata for _, metadata in loaded]


def check_unique_tables(named_metadata: Sequence[tuple[str, MetaData]], key: str) -> None:
    """Raise :class:`DuplicateTableError` when two MetaData objects define the same table.

    :param named_metadata: ``(where it came from, metadata)`` pairs, each MetaData once.
    :param key: the configuration key to name in the error.
    :raises DuplicateTableError: naming the table and both places defining it.
    """
    owners: dict[str, str] = {}
    for name, metadata in named_metadata:
        for table_key in metadata.tables:
            if table_key in owners:
                raise DuplicateTableError(table_key, owners[table_key], name, key)
            owners[table_key] = name
