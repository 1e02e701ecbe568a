"""Results of a tool remembered by the content of the file they were computed from.

The ``format`` and ``lint`` commands keep one :class:`ResultCache` each, so that a re-run over
an unchanged history costs one ``stat`` per file and little else.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from alembic.config import Config

CACHE_DIRECTORY = ".lback-cache"
"""Name of the cache directory, created beside ``alembic.ini``."""

_CACHE_FORMAT = 2
SETTLED_NS = 2_000_000_000
"""How long before it was looked at a file must have last changed (its ``st_ctime``) for its
status to stand for its content (before the cache was opened): 2 s, more than the coarsest
timestamp of a file system (FAT's 2 s) or a kernel's clock tick. A file changed more recently
is always read, and its status is not remembered."""


class ResultCache:
    """Results of one tool, remembered by the content of the file they were computed from.

    The key of an entry is the SHA-256 of lback-migrations' version, the ``fingerprint``, a
    per-file ``context`` and the SHA-256 of the file's bytes (its *digest*), so a change to any
    of them is a miss; nothing is ever stale.

    :meth:`digest` reads and hashes a file only when its status changed: the cache also
    remembers each file's digest under its device, inode, size, modification and change times
    (in nanoseconds), as ruff and black remember files by their status. Any write to a file
    moves its change time (``st_ctime``, which no program can set back), a replaced file has a
    new change time, and a status is remembered only for a file that had not changed for
    :data:`SETTLED_NS` before the cache was opened, so a later change (of the same size, in the
    same second or the same clock tick) can never give the remembered status back.

    Besides the results of single files, the cache keeps the result of the latest run
    (:meth:`latest`, :meth:`keep_latest`): one, so that it does not grow with every run.

    The results of single files live in ``<directory>/<tool>.json``, read only when one is
    asked for; the files' statuses and the latest run in ``<directory>/<tool>.files.json``. Both
    are replaced atomically by :meth:`save`. A cache file that cannot be read is ignored (and
    overwritten on save).

    :param directory: the cache directory, usually :data:`CACHE_DIRECTORY` beside ``alembic.ini``.
    :param tool: the tool's name (``format``, ``lint``); names the JSON files.
    :param fingerprint: everything besides the file that decides the result: the versions of
        the engines used and the options, serialised in a stable order.
    """

    def __init__(self, directory: Path, tool: str, fingerprint: str) -> None:
        self.path = directory / f"{tool}.json"
        self._files_path = directory / f"{tool}.files.json"
        self._salt = f"{__version__}\0{tool}\0{fingerprint}\0"
        self._opened_at = time.time_ns()
        self._entries: dict[str, Any] | None = None
        statuses = _read(self._files_path)
        files, latest = statuses.get("files"), statuses.get("latest")
        self._files: dict[str, Any] = files if isinstance(files, dict) else {}
        self._latest: Any = latest if isinstance(latest, list) and len(latest) == 2 else None
        self._dirty_entries = self._dirty_files = False

    def digest(self, path: Path) -> str:
        """Return the SHA-256 of the file's bytes (hexadecimal), read only when its status is
        not the one remembered with it.

        :raises OSError: when the file cannot be read.
        """
        status = os.stat(path)
        known = self._files.get(_identity(status))
        if isinstance(known, list) and known[:3] == _signature(status) and len(known) == 4:
            return str(known[3])
        with open(path, "rb") as file:
            status = os.fstat(file.fileno())  # the status of the bytes read
            digest = content_digest(file.read())
        if status.st_ctime_ns < self._opened_at - SETTLED_NS:
            self._files[_identity(status)] = [*_signature(status), digest]
            self._dirty_files = True
        return digest

    def _key(self, digest: str, context: str) -> str:
        return hashlib.sha256(f"{self._salt}{context}\0{digest}".encode()).hexdigest()

    def _results(self) -> dict[str, Any]:
        if self._entries is None:
            entries = _read(self.path).get("entries")
            self._entries = entries if isinstance(entries, dict) else {}
        return self._entries

    def get(self, digest: str, context: str = "") -> Any | None:
        """Return the result stored for a file whose bytes have this ``digest``, or ``None``.

        :param digest: the file's :meth:`digest` (or :func:`content_digest`).
        :param context: what else decides this file's result, when it is not the same for
            every file (the options of its directory).
        """
        return self._results().get(self._key(digest, context))

    def put(self, digest: str, result: Any, context: str = "") -> None:
        """Remember ``result`` for a file whose bytes have this ``digest``.

        :param result: a JSON-serialisable value (not ``None``, which means a miss).
        """
        key = self._key(digest, context)
        entries = self._results()
        if entries.get(key) != result:
            entries[key] = result
            self._dirty_entries = True

    def latest(self, inputs: str) -> Any | None:
        """Return the result of the latest run if its inputs were ``inputs``, else ``None``.

        :param inputs: everything the run's result depends on besides the fingerprint (the
            files' paths and digests...), serialised in a stable order.
        """
        if self._latest is not None and self._latest[0] == self._key(inputs, "run"):
            return self._latest[1]
        return None

    def keep_latest(self, inputs: str, result: Any) -> None:
        """Remember ``result`` as the latest run's, for ``inputs`` (in place of the one before).

        :param result: a JSON-serialisable value (not ``None``, which means a miss).
        """
        latest = [self._key(inputs, "run"), result]
        if self._latest != latest:
            self._latest = latest
            self._dirty_files = True

    def save(self) -> None:
        """Write the cache files that changed, atomically.

        The directory is created with a ``.gitignore`` so that it is never committed. A cache
        that cannot be written is not an error: the next run is simply cold.
        """
        if not (self._dirty_entries or self._dirty_files):
            return
        # imported here: a warm run writes nothing, and this imports the process pool's modules
        from .atomic_write import write_atomically

        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
            ignore = directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# written by lback-migrations\n*\n", encoding="utf-8")
            if self._dirty_entries:
                document = {"format": _CACHE_FORMAT, "entries": self._results()}
                write_atomically(self.path, json.dumps(document, sort_keys=True).encode())
                self._dirty_entries = False
            if self._dirty_files:
                statuses = {"format": _CACHE_FORMAT, "files": self._files, "latest": self._latest}
                write_atomically(self._files_path, json.dumps(statuses, sort_keys=True).encode())
                self._dirty_files = False
        except OSError:
            return


def _read(path: Path) -> dict[str, Any]:
    """A cache file's document, or an empty one when it cannot be read or is of another
    format."""
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("format") != _CACHE_FORMAT:
        return {}
    return document


def cache_directory(config: Config | None) -> Path:
    """The result caches' directory: beside ``alembic.ini``, else in the working directory."""
    if config is not None and config.config_file_name:
        return Path(config.config_file_name).absolute().parent / CACHE_DIRECTORY
    return Path.cwd() / CACHE_DIRECTORY


def _identity(status: os.stat_result) -> str:
    return f"{status.st_dev}:{status.st_ino}"


def _signature(status: os.stat_result) -> list[int]:
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns]


def content_digest(content: bytes) -> str:
    """The SHA-256 of ``content``, as :meth:`ResultCache.digest` gives it for a file."""
    return hashlib.sha256(content).hexdigest()
