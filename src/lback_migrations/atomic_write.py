"""Replacing a file so that a reader, a kill or a crash sees the old content or the new one.

The hooks and the commands that rewrite revision files (``format``, ``rebase``, ``squash``,
the ``HEADS`` file) and the result caches all write through :func:`write_atomically`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .parallel import refuse_when_orphaned


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
    refuse_when_orphaned()
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
        refuse_when_orphaned()
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
