"""What the commands over revision files, ``format`` and ``lint``, share on the command line.

Both exit as ruff does (:data:`EXIT_OK`, :data:`EXIT_FOUND`, :data:`EXIT_ERROR`) and print
``text``, ``json`` or ``github`` (:data:`OUTPUT_FORMATS`; GitHub Actions workflow commands,
written by :func:`github_annotation`). They show paths by one rule,
:func:`~lback_migrations.revision_files.display_path`, and keep their result caches in one
directory beside ``alembic.ini``, :func:`~lback_migrations.result_cache.cache_directory`.
"""

from __future__ import annotations

EXIT_OK = 0
"""Nothing to report: every file is formatted, or no finding reaches ``fail_on``."""
EXIT_FOUND = 1
"""A file would be reformatted, or a finding reaches ``fail_on``."""
EXIT_ERROR = 2
"""The command could not do its work: a bad option or path, a file that does not parse."""
OUTPUT_FORMATS = ("text", "json", "github")
"""The output formats of both commands (``lint`` adds the reports of
:mod:`lback_migrations.lint.reports`)."""


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
