"""Benchmark ``lback-migrations lint`` on the precision corpus, side by side with ruff.

The corpus is the 20 projects' real revision files (``python benchmarks/corpus.py fetch``),
about two thousand. Each repetition runs, interleaved:

- ``ruff check --no-cache`` and ``lback-migrations lint --no-cache``: cold, every file parsed;
- ``ruff check`` and ``lback-migrations lint``: warm, over the unchanged files (each tool's
  cache filled by a first, untimed run).

It prints the median wall and CPU time and peak memory of each, the ratios the targets are
set on (cold lint at most 5x ruff cold, warm lint at most 3x ruff warm and at most 0.2 s), and
the load average::

    python benchmarks/lint_history.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from side_by_side import Run, absolute, command, corpus_project, report, run

LINT = [command("lback-migrations"), "lint", "histories"]
RUFF = [command("ruff"), "check", "--quiet", "histories"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    runs: dict[str, list[Run]] = {
        "ruff check --no-cache": [],
        "lint --no-cache": [],
        "ruff check (warm)": [],
        "lint (warm)": [],
    }
    with corpus_project() as (root, count):
        run(LINT, root)  # untimed: bytecode caches, the lint cache, the files read once
        run(RUFF, root)
        for _ in range(arguments.repeat):
            runs["ruff check --no-cache"].append(run([*RUFF, "--no-cache"], root))
            runs["lint --no-cache"].append(run([*LINT, "--no-cache"], root))
            runs["ruff check (warm)"].append(run(RUFF, root))
            runs["lint (warm)"].append(run(LINT, root))
    report(
        f"lint of {count} revision files, median of {arguments.repeat}",
        runs,
        [
            ("lint --no-cache", "ruff check --no-cache", 5.0),
            ("lint (warm)", "ruff check (warm)", 3.0),
        ],
    )
    absolute(runs, "lint (warm)", 0.2)


if __name__ == "__main__":
    main()
