"""A fleet of SQLite databases: ``migrate --targets FILE --jobs 4`` versus one after another.

One project (``alembic init -t lback``, 5 revisions) and ``--databases`` empty SQLite files
(200 by default). The baseline is what a team writes without this package: a loop running the
stock ``alembic upgrade head`` once per database, ``DATABASE_URL`` pointing at it. The fleet is
``lback-migrations migrate --targets FILE --jobs 4`` on a second set of files. Then the fleet is
run again on its migrated files: the resume case, where every target is already at head.

Printed: the wall time of each, the ratio baseline / fleet, and the time of the resumed run.
Run it::

    python benchmarks/fleet.py [--databases 200] [--jobs 4]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REVISIONS = 5


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
            f"    op.create_table('table_{number}', sa.Column('id', sa.Integer, primary_key=True))"
            f"\n\n\ndef downgrade():\n    op.drop_table('table_{number}')\n"
        )


def one_after_another(root: Path, urls: list[str]) -> float:
    alembic = str(Path(sys.executable).parent / "alembic")
    start = time.perf_counter()
    for url in urls:
        subprocess.run(
            [alembic, "upgrade", "head"],
            cwd=root,
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - start


def fleet(root: Path, targets: Path, jobs: int) -> float:
    command = str(Path(sys.executable).parent / "lback-migrations")
    start = time.perf_counter()
    result = subprocess.run(
        [command, "migrate", "--targets", str(targets), "--jobs", str(jobs)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - start
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=4)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        make_project(root)
        count = arguments.databases
        loop_urls = [f"sqlite:///{root / f'loop_{n}.db'}" for n in range(count)]
        fleet_urls = [f"sqlite:///{root / f'fleet_{n}.db'}" for n in range(count)]
        targets = root / "targets.txt"
        targets.write_text("\n".join(fleet_urls) + "\n")
        baseline = one_after_another(root, loop_urls)
        parallel = fleet(root, targets, arguments.jobs)
        resumed = fleet(root, targets, arguments.jobs)
    print(
        f"{count} SQLite databases, {REVISIONS} revisions: one after another (stock alembic) "
        f"{baseline:.1f} s, migrate --targets --jobs {arguments.jobs} {parallel:.1f} s: "
        f"{baseline / parallel:.2f}x faster; resumed run (all at head) {resumed:.1f} s"
    )


if __name__ == "__main__":
    main()
