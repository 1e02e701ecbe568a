"""Running a tool over many revision files: which files, which results are known, how many cores.

The ``format`` and ``lint`` commands share this: :func:`revision_paths` expands what the user
named (or the configured version locations) into revision files, :class:`ResultCache` remembers
each file's result by content so a re-run over an unchanged history costs almost nothing, and
:func:`run_parallel` spreads a cold run over every core.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import __version__
from .errors import ConfigurationError

if TYPE_CHECKING:
    from alembic.config import Config

R = TypeVar("R")

CACHE_DIRECTORY = ".lback-cache"
"""Name of the cache directory, created beside ``alembic.ini``."""

_CACHE_FORMAT = 1
_MIN_FILES_PER_WORKER = 8
"""Below this many files per extra process, starting the process costs more than it saves."""
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


def write_atomically(path: Path, content: bytes) -> None:
    """Replace the file at ``path`` with ``content`` so that a reader, a kill or a crash sees
    the old content or the new one, never half of either, nor an empty file.

    - The bytes go to a temporary file in the same directory, flushed to disk (``fsync``), which
      then replaces the file with :func:`os.replace`; the directory is synced after, so that the
      rename itself survives a crash.
    - A symbolic link is followed: its target is replaced and the link stays a link.
    - A file with several hard links is rewritten through its inode (a rename would leave the
      other names with the old text): the new bytes are written over the old, the file is cut
      to their length and synced.
    - The permission bits are kept, and the owner and group where the process may set them; a
      new file gets the usual bits, as :func:`open` would give it.

    In a worker of :func:`run_parallel` whose parent is gone, nothing is written.

    :raises OSError: when the file or its directory is not writable, or the worker's parent is
        gone; ``path`` is then unchanged.
    """
    _refuse_when_orphaned()
    target = Path(os.path.realpath(path))
    try:
        status: os.stat_result | None = target.stat()
    except FileNotFoundError:
        status = None
    if status is not None and status.st_nlink > 1:
        _write_through_inode(target, content)
        return
    mode = status.st_mode & 0o7777 if status is not None else 0o666 & ~_umask()
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            if status is not None:
                _keep_owner(handle.fileno(), status)
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        _refuse_when_orphaned()
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)


def _write_through_inode(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY)
    try:
        written = 0
        while written < len(content):
            written += os.pwrite(descriptor, content[written:], written)
        os.ftruncate(descriptor, len(content))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _keep_owner(descriptor: int, status: os.stat_result) -> None:
    if (status.st_uid, status.st_gid) == (os.geteuid(), os.getegid()):
        return
    with contextlib.suppress(PermissionError):  # only root may give a file away
        os.fchown(descriptor, status.st_uid, status.st_gid)


def _sync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems cannot sync a directory
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


_parent_of_worker: int | None = None
"""In a worker of :func:`run_parallel`, the process that started it."""
_PR_SET_PDEATHSIG = 1


class OrphanedWorkerError(OSError):
    """A worker of :func:`run_parallel` outlived the command that started it."""


def _refuse_when_orphaned() -> None:
    if _parent_of_worker is not None and os.getppid() != _parent_of_worker:
        raise OrphanedWorkerError("the command that started this worker is gone")


def _die_with_parent(parent: int) -> None:
    """Start of every worker: die with the command (a ``kill -9``, the OOM killer, a cancelled
    CI job) rather than go on rewriting files, and never write once it is gone."""
    global _parent_of_worker
    _parent_of_worker = parent
    if sys.platform.startswith("linux"):
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def run_parallel(
    fn: Callable[[Path], R], paths: Sequence[Path], jobs: int | None = None
) -> list[R]:
    """Return ``[fn(path) for path in paths]``, computed on several cores when it pays.

    A process pool is used when there are at least :data:`_MIN_FILES_PER_WORKER` files for
    each of two or more workers; otherwise the calls run in this process. Results keep the
    order of ``paths``.

    Each worker dies with this process (``PR_SET_PDEATHSIG`` on Linux) and, on any system,
    writes no file once this process is gone (see :func:`write_atomically`).

    :param fn: a module-level function (it is pickled to reach the workers).
    :param jobs: the most processes to use; ``None`` means every core, ``1`` never forks.
    """
    workers = min(jobs or os.cpu_count() or 1, len(paths) // _MIN_FILES_PER_WORKER)
    if workers < 2:
        return [fn(path) for path in paths]
    chunksize = max(1, len(paths) // (workers * 4))
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        return list(pool.map(fn, paths, chunksize=chunksize))
