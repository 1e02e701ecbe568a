"""Benchmark ``lback-migrations format --check`` on the precision corpus, side by side with
``black --check DIR``.

The corpus is the 20 projects' real revision files (``python benchmarks/corpus.py fetch``),
about two thousand. Each repetition runs, interleaved:

- ``black --check histories`` and ``lback-migrations format --check histories`` cold: black's
  cache directory (``BLACK_CACHE_DIR``) and lback-migrations' result cache removed first;
- the same two again, warm.

It prints the median wall and CPU time and peak memory of each, the ratios the targets are set
on (cold ``format --check`` no slower than black cold; warm at most 0.2 s; peak memory within
1.5x of black's), and the load average::

    python benchmarks/format_check.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from side_by_side import Run, absolute, command, corpus_project, memory_ratio, report, run

FORMAT = [command("lback-migrations"), "format", "--check", "histories"]
BLACK = [command("black"), "--check", "--quiet", "histories"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    runs: dict[str, list[Run]] = {
        "black --check (cold)": [],
        "format --check (cold)": [],
        "black --check (warm)": [],
        "format --check (warm)": [],
    }
    with corpus_project() as (root, count):
        black_cache = root / "black-cache"
        black = {"BLACK_CACHE_DIR": str(black_cache)}
        run(FORMAT, root)  # untimed: bytecode caches, the files read once
        for _ in range(arguments.repeat):
            shutil.rmtree(black_cache, ignore_errors=True)
            runs["black --check (cold)"].append(run(BLACK, root, black))
            shutil.rmtree(root / ".lback-cache", ignore_errors=True)
            runs["format --check (cold)"].append(run(FORMAT, root))
            runs["black --check (warm)"].append(run(BLACK, root, black))
            runs["format --check (warm)"].append(run(FORMAT, root))
    report(
        f"format --check of {count} revision files, median of {arguments.repeat}",
        runs,
        [
            ("format --check (cold)", "black --check (cold)", 1.0),
            ("format --check (warm)", "black --check (warm)", None),
        ],
    )
    absolute(runs, "format --check (warm)", 0.2)
    memory_ratio(runs, "format --check (cold)", "black --check (cold)", 1.5)
    memory_ratio(runs, "format --check (warm)", "black --check (warm)", 1.5)


if __name__ == "__main__":
    main()
