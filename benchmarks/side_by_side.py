"""Timing commands side by side on the precision corpus, for ``lint_history.py`` and
``format_check.py``.

The machine is shared and its load changes by the minute, so every case runs in the same loop,
interleaved with its baselines, and the report gives each case's median and its ratio to a
baseline's median from the same run, with the load average.

The corpus is the revision files of ``benchmarks/corpus.py`` (``python benchmarks/corpus.py
fetch`` puts them in ``benchmarks/.corpus/histories``), copied into a fresh directory with an
``alembic.ini`` of its own, so that no tool reads this repository's configuration.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
HISTORIES = HERE / ".corpus" / "histories"
BIN = Path(sys.executable).parent
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
"""The commands' environment: with bytecode caches written and read, as on a user's machine."""


@dataclass(frozen=True)
class Run:
    """One run of a command: wall-clock and CPU seconds, and its peak resident memory."""

    wall: float
    cpu: float
    peak_mib: float


def run(argv: Sequence[str], cwd: Path, environment: dict[str, str] | None = None) -> Run:
    """Run ``argv`` in ``cwd``, its output discarded; exit 0 or 1 (findings) is expected."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env={**ENVIRONMENT, **(environment or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}):\n{errors.decode()}")
    # ru_maxrss of one waited-for child: the largest process of its tree, in KiB on Linux
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


@contextmanager
def corpus_project() -> Iterator[tuple[Path, int]]:
    """A temporary project holding the corpus in ``histories/``; yields it and its file count."""
    if not HISTORIES.is_dir():
        raise SystemExit("no corpus: run python benchmarks/corpus.py fetch first")
    root = Path(tempfile.mkdtemp(prefix="lback-bench-"))
    try:
        shutil.copytree(HISTORIES, root / "histories")
        (root / "alembic.ini").write_text("[alembic]\nscript_location = histories\n")
        yield root, sum(1 for _ in (root / "histories").rglob("*.py"))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def command(name: str) -> str:
    """The console script ``name`` of this interpreter's environment."""
    return str(BIN / name)


def report(
    title: str, runs: dict[str, list[Run]], ratios: Sequence[tuple[str, str, float | None]]
) -> None:
    """Print each case's medians, then each ``(case, baseline, most)`` ratio of median wall
    times (and peak memory where ``baseline`` names black) with whether it is at most
    ``most``."""
    load = os.getloadavg()
    print(
        f"{title}; {os.cpu_count()} cores; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    for case, found in runs.items():
        print(
            f"  {case:<24} wall {median(found, 'wall'):6.3f} s"
            f" (best {min(item.wall for item in found):.3f})"
            f"  cpu {median(found, 'cpu'):6.3f} s  peak {median(found, 'peak_mib'):6.1f} MiB"
        )
    for case, baseline, most in ratios:
        ratio = median(runs[case], "wall") / median(runs[baseline], "wall")
        verdict = "" if most is None else f" (target at most {most}x: {_met(ratio, most)})"
        print(f"  {case} / {baseline}: {ratio:.2f}x wall{verdict}")


def memory_ratio(runs: dict[str, list[Run]], case: str, baseline: str, most: float) -> None:
    """Print the ratio of ``case``'s median peak memory to ``baseline``'s."""
    ratio = median(runs[case], "peak_mib") / median(runs[baseline], "peak_mib")
    verdict = f"target at most {most}x: {_met(ratio, most)}"
    print(f"  {case} / {baseline}: {ratio:.2f}x peak memory ({verdict})")


def absolute(runs: dict[str, list[Run]], case: str, most: float) -> None:
    """Print whether ``case``'s median wall time is at most ``most`` seconds."""
    wall = median(runs[case], "wall")
    print(f"  {case}: {wall:.3f} s wall (target at most {most} s: {_met(wall, most)})")


def median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(found, field) for found in runs)


def _met(value: float, most: float) -> str:
    return "met" if value <= most else "NOT met"
