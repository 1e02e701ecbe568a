"""``lback-migrations format --check`` over a history of revisions, against black run per file.

A history of ``--count`` realistic revision files (``benchmarks/history.py``: what
``alembic revision --autogenerate`` writes with the ``lback`` template) is put in a project's
versions directory, then checked three ways:

``black, once per file``
    what Alembic's ``console_scripts`` hook does for each revision: a new interpreter running
    ``black --check`` on one file, file after file.
``format --check (cold)``
    ``lback-migrations format --check`` with no result cache: every file is rewritten and
    formatted in memory, on every core.
``format --check (warm)``
    the same command again: every answer comes from the cache.

Each case is timed ``--repeat`` times (the cold one with the cache removed first) and the
median is reported, with its speed-up over black per file: in wall-clock time, and in the CPU
time of the processes started (which a machine busy with other work does not distort).

Run it::

    python benchmarks/format_check.py [--count 150] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from history import generate_history

BIN = Path(sys.executable).parent


def black_per_file(root: Path, paths: list[Path]) -> None:
    for path in paths:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import black; black.patched_main()",
                "--check",
                "-q",
                str(path),
            ],
            cwd=root,
            check=False,
        )


def format_check(root: Path) -> None:
    result = subprocess.run(
        [str(BIN / "lback-migrations"), "format", "--check"],
        cwd=root,
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode == 2:
        raise SystemExit(result.stdout + result.stderr)


def timed(action: Callable[[], None]) -> tuple[float, float]:
    """Wall-clock seconds, and CPU seconds of the processes it started."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started, _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="lback-bench-"))
    try:
        subprocess.run(
            [str(BIN / "alembic"), "init", "-t", "lback", "migrations"],
            cwd=root,
            check=True,
            capture_output=True,
        )
        paths = generate_history(root / "migrations" / "versions", arguments.count)
        cache = root / ".lback-cache"
        timings: dict[str, list[tuple[float, float]]] = {
            "black, once per file": [],
            "cold": [],
            "warm": [],
        }
        for _ in range(arguments.repeat):
            timings["black, once per file"].append(timed(lambda: black_per_file(root, paths)))
            shutil.rmtree(cache, ignore_errors=True)
            timings["cold"].append(timed(lambda: format_check(root)))
            timings["warm"].append(timed(lambda: format_check(root)))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    black_wall, black_cpu = _medians(timings["black, once per file"])
    print(
        f"{arguments.count} revision files, median of {arguments.repeat} runs, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    for case, label in (
        ("black, once per file", "black, once per file"),
        ("cold", "format --check (cold)"),
        ("warm", "format --check (warm)"),
    ):
        wall, cpu = _medians(timings[case])
        print(
            f"  {label:<24} wall {wall:7.2f} s ({black_wall / wall:5.1f}x)"
            f"   cpu {cpu:7.2f} s ({black_cpu / cpu:5.1f}x)"
        )


def _medians(values: list[tuple[float, float]]) -> tuple[float, float]:
    return (
        statistics.median(wall for wall, _ in values),
        statistics.median(cpu for _, cpu in values),
    )


if __name__ == "__main__":
    main()
