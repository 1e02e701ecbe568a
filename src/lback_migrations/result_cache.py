"""Results of a tool remembered by the content of the file they were computed from.

The ``format`` and ``lint`` commands keep one :class:`ResultCache` each, so that a re-run over
an unchanged history costs reading the files and little else.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from . import __version__
from .atomic_write import write_atomically

CACHE_DIRECTORY = ".lback-cache"
"""Name of the cache directory, created beside ``alembic.ini``."""

_CACHE_FORMAT = 1


class ResultCache:
    """Results of one tool, remembered by the content of the file they were computed from.

    The key of an entry is the SHA-256 of lback-migrations' version, the ``fingerprint``
    and the file's bytes, so a change to any of them is a miss; nothing is ever stale. The
    entries live in one JSON file, ``<directory>/<tool>.json``, replaced atomically by
    :meth:`save`. A cache file that cannot be read is ignored (and overwritten on save).

    :param directory: the cache directory, usually :data:`CACHE_DIRECTORY` beside ``alembic.ini``.
    :param tool: the tool's name (``format``, ``lint``); names the JSON file.
    :param fingerprint: everything besides the file that decides the result: the versions of
        the engines used and the options, serialised in a stable order.
    """

    def __init__(self, directory: Path, tool: str, fingerprint: str) -> None:
        self.path = directory / f"{tool}.json"
        self._salt = f"{__version__}\0{tool}\0{fingerprint}\0".encode()
        self._entries = self._load()
        self._dirty = False

    def _load(self) -> dict[str, Any]:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(document, dict) or document.get("format") != _CACHE_FORMAT:
            return {}
        entries = document.get("entries")
        return entries if isinstance(entries, dict) else {}

    def _key(self, content: bytes) -> str:
        return hashlib.sha256(self._salt + content).hexdigest()

    def get(self, content: bytes) -> Any | None:
        """Return the result stored for a file with this ``content``, or ``None``.

        :param content: the file's bytes.
        """
        return self._entries.get(self._key(content))

    def put(self, content: bytes, result: Any) -> None:
        """Remember ``result`` for a file with this ``content``.

        :param result: a JSON-serialisable value (not ``None``, which means a miss).
        """
        key = self._key(content)
        if self._entries.get(key) != result:
            self._entries[key] = result
            self._dirty = True

    def save(self) -> None:
        """Write the cache file if anything was added, atomically.

        The directory is created with a ``.gitignore`` so that it is never committed. A cache
        that cannot be written is not an error: the next run is simply cold.
        """
        if not self._dirty:
            return
        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
            ignore = directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# written by lback-migrations\n*\n", encoding="utf-8")
            document = {"format": _CACHE_FORMAT, "entries": self._entries}
            write_atomically(self.path, json.dumps(document, sort_keys=True).encode())
        except OSError:
            return
        self._dirty = False
