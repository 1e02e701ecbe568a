"""What reading the SQL of ``op.execute`` costs a cold lint of real revisions.

Runs ``lback-migrations lint --no-cache`` over the precision corpus (``python
benchmarks/corpus.py fetch`` first: about 2,000 revision files of 20 projects) as the command
does it, on every core, with SQL parsing and without it (the same command with the engine's
reader of ``op.execute`` literals switched off in the process, which its forked workers
inherit), alternating, and prints the median wall time of each and their ratio. The target:
with SQL parsing under 1.5 times the time without.

    python benchmarks/lint_sql_overhead.py --rounds 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / ".corpus"
TARGET = 1.5
COMMAND = (
    "import sys\n"
    "import lback_migrations.lint.engine as engine\n"
    "if sys.argv.pop(1) == 'off':\n"
    "    engine.literal_sql = lambda call: None\n"
    "from lback_migrations.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def run(mode: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            COMMAND,
            mode,
            "lint",
            "--no-cache",
            "--dialect",
            "postgresql",
            "--output-format",
            "json",
            "histories",
        ],
        cwd=CORPUS,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"lint failed ({done.returncode}): {done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    if not (CORPUS / "histories").is_dir():
        raise SystemExit("fetch the corpus first: python benchmarks/corpus.py fetch")
    files = sum(1 for _ in (CORPUS / "histories").rglob("*.py"))
    run("on")
    times: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(rounds):
        for mode in ("off", "on"):
            times[mode].append(run(mode))
    on, off = statistics.median(times["on"]), statistics.median(times["off"])
    verdict = "within" if on / off < TARGET else "OVER"
    print(
        f"cold lint of {files} real revision files: with SQL parsing {on:.2f} s, without "
        f"{off:.2f} s, ratio {on / off:.2f} ({verdict} the {TARGET}x target)"
    )


if __name__ == "__main__":
    main()
