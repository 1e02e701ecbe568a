"""Spreading a command's work over the cores: :func:`run_parallel`.

A cold ``format`` or ``lint`` run over a long history computes each file in a worker process.
A worker dies with the command that started it, and writes no file once that command is gone
(:func:`refuse_when_orphaned`, which :func:`~lback_migrations.atomic_write.write_atomically`
calls).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

R = TypeVar("R")

_MIN_FILES_PER_WORKER = 8
"""Below this many files per extra process, starting the process costs more than it saves."""
_parent_of_worker: int | None = None
"""In a worker of :func:`run_parallel`, the process that started it."""
_PR_SET_PDEATHSIG = 1


class OrphanedWorkerError(OSError):
    """A worker of :func:`run_parallel` outlived the command that started it."""


def refuse_when_orphaned() -> None:
    """Raise :class:`OrphanedWorkerError` in a worker whose command is gone."""
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
    writes no file once this process is gone (see
    :func:`~lback_migrations.atomic_write.write_atomically`).

    :param fn: a module-level function (it is pickled to reach the workers).
    :param jobs: the most processes to use; ``None`` means every core, ``1`` never forks.
    """
    workers = min(jobs or os.cpu_count() or 1, len(paths) // _MIN_FILES_PER_WORKER)
    if workers < 2:
        return [fn(path) for path in paths]
    # The first call runs here, before the workers fork: what ``fn`` imports on its first call
    # (the lint rules, the formatter) is then imported once, not once in every worker. Those
    # modules then move to the collector's permanent generation: they live as long as the
    # workers, and each full collection in a worker would walk all of them again (measured in
    # instructions, 8% of a cold lint's analysis).
    first = fn(paths[0])
    rest = paths[1:]
    chunksize = max(1, len(rest) // (workers * 4))
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),)
        ) as pool:
            return [first, *pool.map(fn, rest, chunksize=chunksize)]
    finally:
        gc.unfreeze()
