"""The ``lback_format`` post-write hook: the adapter between Alembic and the formatter.

Alembic calls :func:`format_revision` (through :mod:`lback_migrations.write_hooks`) after it
writes a revision. A failure raises :class:`~.results.FormatError`, a
:class:`~alembic.util.CommandError`: ``alembic revision`` prints it and exits non-zero, and the
revision file stays on disk exactly as Alembic wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .formatter import format_file
from .options import resolve_options
from .results import Failed, FormatError


def format_revision(path: str, options: Mapping[str, Any]) -> None:
    """Format the revision Alembic just wrote at ``path``.

    :param path: the revision file.
    :param options: the hook's configuration as Alembic passes it (``type``, ``_hook_name``
        and the hook's own keys, see :class:`~.options.FormatOptions`).
    :raises ConfigurationError: when a hook option is unknown or invalid.
    :raises FormatError: when the revision cannot be formatted; the file is unchanged.
    """
    revision = Path(path)
    hook_name = str(options.get("_hook_name", "lback_format"))
    result = format_file(revision, resolve_options(revision, options, hook_name))
    if isinstance(result, Failed):
        raise FormatError(result)
