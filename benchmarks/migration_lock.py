"""What the deploy lock costs ``migrate``: a 20-revision history, lock on versus off.

One project (``alembic init -t lback``, 20 hand-written revisions each creating a table) is
upgraded from base to head with ``alembic.command.upgrade`` in this process, with
``lback.migration_lock = true`` (the default) and ``false``, the two cases interleaved round by
round so that a busy machine slows them alike; after each timed upgrade an untimed downgrade
to base resets the database. On SQLite the lock is a ``flock`` on a file beside the database; on
PostgreSQL (when ``--postgresql URL`` names a server database that may be emptied) it is an
advisory lock held on a second connection.

Printed per backend, for wall time and for this process's CPU time: the median of each case,
the ratio of the medians and the median of the per-round ratios (the target is at most 1.05).
Run it::

    python benchmarks/migration_lock.py [--repeat 15] [--postgresql postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alembic import command
from alembic.config import Config

REVISIONS = 20


def make_project(root: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "lback_migrations", "init", "migrations"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    versions = root / "migrations" / "versions"
    for number in range(REVISIONS):
        down = f"'r{number - 1}'" if number else "None"
        (versions / f"r{number}.py").write_text(
            "import sqlalchemy as sa\nfrom alembic import op\n\n"
            f"revision = 'r{number}'\ndown_revision = {down}\n"
            "branch_labels = None\ndepends_on = None\n\n\n"
            "def upgrade():\n"
            f"    op.create_table('table_{number}', sa.Column('id', sa.Integer, primary_key=True),"
            " sa.Column('name', sa.String(50)), sa.Column('amount', sa.Integer))\n\n\n"
            f"def downgrade():\n    op.drop_table('table_{number}')\n"
        )


def config(root: Path, url: str, lock: bool) -> Config:
    result = Config(str(root / "alembic.ini"), stdout=io.StringIO())
    result.set_main_option("sqlalchemy.url", url)
    result.set_main_option("lback.migration_lock", "true" if lock else "false")
    result.attributes["lback.configure_logging"] = False
    return result


def timed_upgrade(root: Path, url: str, lock: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one upgrade from base to head."""
    wall, cpu = time.perf_counter(), time.process_time()
    command.upgrade(config(root, url, lock), "head")
    took = time.perf_counter() - wall, time.process_time() - cpu
    command.downgrade(config(root, url, False), "base")
    return took


def measure(root: Path, url: str, repeat: int) -> dict[str, list[tuple[float, float]]]:
    samples: dict[str, list[tuple[float, float]]] = {"lock on": [], "lock off": []}
    timed_upgrade(root, url, True)  # warm: imports, revision modules, caches
    for round_number in range(repeat):
        order = ["lock on", "lock off"] if round_number % 2 == 0 else ["lock off", "lock on"]
        for case in order:
            samples[case].append(timed_upgrade(root, url, case == "lock on"))
    return samples


def report(backend: str, samples: dict[str, list[tuple[float, float]]]) -> None:
    for index, measure_name in enumerate(("wall", "CPU")):
        on = [sample[index] for sample in samples["lock on"]]
        off = [sample[index] for sample in samples["lock off"]]
        of_medians = statistics.median(on) / statistics.median(off)
        per_round = statistics.median(a / b for a, b in zip(on, off, strict=True))
        print(
            f"{backend} ({measure_name}): {REVISIONS} revisions, median lock on "
            f"{statistics.median(on) * 1000:.1f} ms, lock off {statistics.median(off) * 1000:.1f}"
            f" ms; lock on / off {of_medians:.3f}x (per round {per_round:.3f}x; target <= 1.05)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--postgresql", metavar="URL", help="an empty PostgreSQL database")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        make_project(root)
        os.chdir(root)
        report("sqlite", measure(root, f"sqlite:///{root / 'bench.db'}", arguments.repeat))
        if arguments.postgresql:
            report("postgresql", measure(root, arguments.postgresql, arguments.repeat))


if __name__ == "__main__":
    main()
