"""An Alembic environment's ini file, read as :class:`alembic.config.Config` reads it, without
importing Alembic.

``lback-migrations lint`` and ``format`` over an unchanged history read a cache and print; the
imports of Alembic and SQLAlchemy would cost them forty times an interpreter's start-up. They
read their configuration through :class:`IniConfig`, which answers what they ask of a
``Config`` (the ini section, the post-write hooks, the ``pyproject.toml`` beside) the way
Alembic answers it. :mod:`lback_migrations.launcher` uses it only for an environment that
keeps its Alembic options in the ini file; one with ``[tool.alembic]`` in ``pyproject.toml``
is read by Alembic itself.
"""

from __future__ import annotations

import configparser
import os
import re
from argparse import Namespace
from pathlib import Path
from typing import Any

_HOOK_NAMES = re.compile(r", *|(?: +)")
"""How Alembic splits ``[post_write_hooks] hooks``."""

_LEGACY_PATH_SPLIT = re.compile(r", *|(?: +)|\:")
"""How Alembic splits ``prepend_sys_path`` when the ini names no ``path_separator``."""

_PATH_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}
"""The values of ``path_separator`` Alembic accepts, and what each splits on."""


class IniConfig:
    """The parts of :class:`alembic.config.Config` the ``format`` and ``lint`` commands use.

    :param file_: the ini file, as named on the command line (it may not exist: Alembic then
        reads an empty configuration).
    :param ini_section: the main section (``-n/--name``).
    :param cmd_opts: the parsed command line.
    :param toml_file: the ``pyproject.toml`` Alembic would read, as named.
    """

    def __init__(
        self, file_: str, ini_section: str, cmd_opts: Namespace, toml_file: str | None
    ) -> None:
        self.config_file_name = file_
        self.config_ini_section = ini_section
        self.cmd_opts = cmd_opts
        self.toml_file_name = toml_file
        self.attributes: dict[str, Any] = {}
        self.messaging_opts = {"quiet": bool(getattr(cmd_opts, "quiet", False))}
        here = Path(file_).absolute().parent.as_posix()
        self.file_config = configparser.ConfigParser({"here": here})
        self.file_config.read([file_], encoding="locale")

    def get_section_option(self, section: str, name: str, default: str | None = None) -> str | None:
        """The option ``name`` of ``section``, or ``default``."""
        if self.file_config.has_option(section, name):
            return self.file_config.get(section, name)
        return default

    def get_main_option(self, name: str, default: str | None = None) -> str | None:
        """The option ``name`` of the main section, or ``default``."""
        return self.get_section_option(self.config_ini_section, name, default)

    def get_alembic_option(self, name: str, default: str | None = None) -> str | None:
        """The Alembic option ``name``: in the ini file only (see the module's documentation)."""
        return self.get_main_option(name, default)

    def get_prepend_sys_paths_list(self) -> list[str] | None:
        """The ``prepend_sys_path`` entries, split as Alembic splits them (by
        ``path_separator``, or on spaces, commas and colons when it is not set)."""
        paths = self.get_main_option("prepend_sys_path")
        if not paths:
            return None
        separator = _PATH_SEPARATORS.get(self.get_main_option("path_separator") or "")
        if separator is None:
            return _LEGACY_PATH_SPLIT.split(paths)
        return [entry.strip() for entry in paths.split(separator) if entry]

    def get_hooks_list(self) -> list[dict[str, str]]:
        """The ``[post_write_hooks]``, each as its keys less the hook's name, plus
        ``_hook_name``."""
        if not self.file_config.has_section("post_write_hooks"):
            return []
        section = dict(self.file_config.items("post_write_hooks"))
        hooks: list[dict[str, str]] = []
        for name in _HOOK_NAMES.split(section.get("hooks", "")):
            if name:
                prefix = f"{name}."
                options = {
                    key.removeprefix(prefix): value
                    for key, value in section.items()
                    if key.startswith(prefix)
                }
                hooks.append({**options, "_hook_name": name})
        return hooks
