"""What the commands over revision files, ``format`` and ``lint``, share on the command line.

Both exit as ruff does (:data:`EXIT_OK`, :data:`EXIT_FOUND`, :data:`EXIT_ERROR`), print
``text``, ``json`` or ``github`` (:data:`OUTPUT_FORMATS`; GitHub Actions workflow commands,
written by :func:`github_annotation`), and keep their result caches in one directory beside
``alembic.ini`` (:func:`cache_directory`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .result_cache import CACHE_DIRECTORY

if TYPE_CHECKING:
    from alembic.config import Config

EXIT_OK = 0
"""Nothing to report: every file is formatted, or no finding reaches ``fail_on``."""
EXIT_FOUND = 1
"""A file would be reformatted, or a finding reaches ``fail_on``."""
EXIT_ERROR = 2
"""The command could not do its work: a bad option or path, a file that does not parse."""
OUTPUT_FORMATS = ("text", "json", "github")
"""The output formats of both commands (``lint`` adds the reports of
:mod:`lback_migrations.lint.reports`)."""


def cache_directory(config: Config | None) -> Path:
    """The result caches' directory: beside ``alembic.ini``, else in the working directory."""
    if config is not None and config.config_file_name:
        return Path(config.config_file_name).absolute().parent / CACHE_DIRECTORY
    return Path.cwd() / CACHE_DIRECTORY


def github_annotation(level: str, message: str, **properties: object) -> str:
    """A GitHub Actions workflow command (``::error file=...,line=...::message``), its
    values escaped as the runner reads them.

    :param level: ``error``, ``warning`` or ``notice``.
    :param properties: ``file``, ``line``, ``col``, ``title``..., in the order given; ``None``
        values are left out.
    """
    written = ",".join(
        f"{name}={_escape_property(str(value))}"
        for name, value in properties.items()
        if value is not None
    )
    return f"::{level} {written}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
