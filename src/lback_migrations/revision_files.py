"""Which revision files a command works on, and how their paths are shown.

:func:`revision_paths` expands what the user named (or the configured version locations) into
revision files; the ``format``, ``lint``, ``rebase`` and ``ci --static`` commands share it.
:func:`display_path` is the one rule by which ``format`` and ``lint`` show a file's path.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConfigurationError

if TYPE_CHECKING:
    from alembic.config import Config

_SKIPPED_DIRECTORIES = frozenset({"__pycache__"})


def revision_paths(config: Config | None, paths: Sequence[str]) -> list[Path]:
    """Return the revision files named by ``paths``, or those of the configured environment.

    A directory stands for every ``*.py`` file below it (recursively, skipping ``__pycache__``
    and hidden directories); a file stands for itself. With no ``paths``, the directories are
    the Alembic environment's version locations (``version_locations``, or ``versions/`` under
    ``script_location``). The result is sorted within each directory and free of duplicates.

    :param config: the Alembic configuration; only needed when ``paths`` is empty.
    :param paths: files and directories named by the user.
    :returns: the revision files, as given (relative paths stay relative).
    :raises ConfigurationError: when a path does not exist, or no path is given and the
        configuration names no usable version location.
    """
    roots = [(Path(path), "PATHS") for path in paths] if paths else _version_locations(config)
    found: dict[Path, None] = {}
    for root, option in roots:
        if root.is_dir():
            found.update(dict.fromkeys(_python_files(root)))
        elif root.is_file():
            found[root] = None
        else:
            raise ConfigurationError(
                option,
                f"{root} does not exist",
                "name an existing revision file or directory",
                None if option == "PATHS" else _config_file(config),
            )
    return list(found)


def _python_files(directory: Path) -> list[Path]:
    files: list[Path] = []
    for current, directories, names in os.walk(directory):
        directories[:] = sorted(
            name
            for name in directories
            if name not in _SKIPPED_DIRECTORIES and not name.startswith(".")
        )
        files.extend(Path(current, name) for name in sorted(names) if name.endswith(".py"))
    return files


def _config_file(config: Config | None) -> str | None:
    return config.config_file_name if config is not None else None


def _version_locations(config: Config | None) -> list[tuple[Path, str]]:
    if config is None or not config.get_alembic_option("script_location"):
        source = _config_file(config)
        if source is not None and not Path(source).is_file():
            missing, source = f" (no {source} found)", None
        else:
            missing = f" ({source} has no script_location)" if source else ""
        raise ConfigurationError(
            "script_location",
            "no Alembic environment is configured" + missing,
            "run from the directory holding alembic.ini, pass -c/--config, or name the files",
            source,
        )
    script_location = str(config.get_alembic_option("script_location"))
    if _is_plain_directory(script_location) and not config.get_alembic_option("version_locations"):
        # what Alembic's ScriptDirectory gives, read without importing Alembic (the lint and
        # format commands would spend most of a warm run on that import)
        return [(Path(script_location, "versions"), "script_location")]
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError, coerce_resource_to_filename

    try:
        script = ScriptDirectory.from_config(config)
    except CommandError as error:
        raise ConfigurationError(
            "script_location",
            str(error),
            "fix the path or run alembic init",
            config.config_file_name,
        ) from error
    if script.version_locations:
        return [
            (coerce_resource_to_filename(location), "version_locations")
            for location in script.version_locations
        ]
    return [(Path(script.dir, "versions"), "script_location")]


def _is_plain_directory(location: str) -> bool:
    """Whether ``location`` is an existing directory, not a ``package:path`` resource."""
    return (os.path.isabs(location) or ":" not in location) and os.path.isdir(location)


def display_path(path: str | os.PathLike[str], working_directory: str | None = None) -> str:
    """How the ``format`` and ``lint`` commands show a file's path, in every output format.

    A file inside the working directory is shown relative to it (``histories/1a2b_add.py``,
    whether it was named ``histories``, ``./histories`` or by its absolute path), as editors and
    CI annotations expect; a file outside it is shown as it was named.

    :param working_directory: the working directory, when the caller shows many paths
        (default: :func:`os.getcwd`).
    """
    named = os.fspath(path)
    directory = working_directory or os.getcwd()
    absolute = os.path.normpath(os.path.join(directory, named))
    inside = os.path.join(directory, "")
    return absolute[len(inside) :] if absolute.startswith(inside) else named
