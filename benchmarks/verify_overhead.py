"""What ``lback-migrations verify`` costs over running the history up and down yourself.

One project (``alembic init -t lback``) with a linear history of ``--revisions`` revisions
(default 50: every fifth creates a table with an index, the others add a column to it, each
with its downgrade) is run on one backend three ways per round, the cases interleaved so that
a busy machine slows them alike:

``upgrade + downgrade``
    the stock ``alembic upgrade head`` then ``alembic downgrade base`` on the configured
    database: the baseline a user would run;
``verify``
    ``lback-migrations verify`` (a new shadow database, every revision up then every downgrade,
    with schema snapshots, generated rows and the data compared, each statement observed);
``verify --no-data``
    the same without rows.

Printed: the median wall time of ``--repeat`` rounds of each case and the ratio of each verify
case over the baseline, with the machine's load average before and after. The targets are at
most 3x with data and 1.5x without. Run it::

    python benchmarks/verify_overhead.py --backend postgresql [--repeat 3] [--revisions 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/",
}
BIN = Path(sys.executable).parent
CASES = ("upgrade + downgrade", "verify", "verify --no-data")


@contextmanager
def benchmark_database(backend: str, directory: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'bench.db'}"
        return
    name = f"lback_bench_verify_{uuid.uuid4().hex[:8]}"
    options = {"isolation_level": "AUTOCOMMIT"}
    engine = sa.create_engine(SERVERS[backend], poolclass=sa.pool.NullPool, **options)
    with engine.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield sa.make_url(SERVERS[backend]).set(database=name).render_as_string(False)
    finally:
        force = " WITH (FORCE)" if backend == "postgresql" else ""
        with engine.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{force}")
        engine.dispose()


def revision_source(index: int) -> str:
    table = f"item_{index // 5}"
    if index % 5 == 0:
        upgrade = (
            f'op.create_table("{table}", sa.Column("id", sa.Integer(), primary_key=True), '
            f'sa.Column("name", sa.String(50), nullable=False))\n'
            f'    op.create_index("ix_{table}_name", "{table}", ["name"])'
        )
        downgrade = f'op.drop_table("{table}")'
    else:
        upgrade = f'op.add_column("{table}", sa.Column("c{index}", sa.Integer()))'
        downgrade = (
            f'with op.batch_alter_table("{table}") as batch:\n        batch.drop_column("c{index}")'
        )
    down = repr(f"r{index - 1:03d}") if index else "None"
    return (
        f'"""revision {index}\n\nRevision ID: r{index:03d}\n"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f'revision = "r{index:03d}"\ndown_revision = {down}\n\n\n'
        f"def upgrade():\n    {upgrade}\n\n\ndef downgrade():\n    {downgrade}\n"
    )


def make_project(directory: Path, url: str, revisions: int) -> None:
    run(directory, BIN / "alembic", "init", "-t", "lback", "migrations")
    ini = directory / "alembic.ini"
    text = ini.read_text()
    lines = [
        f"sqlalchemy.url = {url}" if line.startswith("sqlalchemy.url") else line
        for line in text.splitlines()
    ]
    ini.write_text("\n".join(lines) + "\n")
    versions = directory / "migrations" / "versions"
    versions.mkdir(exist_ok=True)
    for index in range(revisions):
        (versions / f"r{index:03d}_step.py").write_text(revision_source(index))


def run(directory: Path, *argv: object, ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [str(item) for item in argv], cwd=directory, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{argv} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return seconds


def one_round(directory: Path, case: str) -> float:
    if case == "upgrade + downgrade":
        return run(directory, BIN / "alembic", "upgrade", "head") + run(
            directory, BIN / "alembic", "downgrade", "base"
        )
    extra = ["--no-data"] if case.endswith("--no-data") else []
    return run(directory, BIN / "lback-migrations", "verify", *extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "mariadb"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds (median)")
    parser.add_argument("--revisions", type=int, default=50, help="revisions in the history")
    arguments = parser.parse_args()
    load_before = os.getloadavg()
    times: dict[str, list[float]] = {case: [] for case in CASES}
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        with benchmark_database(arguments.backend, directory) as url:
            make_project(directory, url, arguments.revisions)
            for _ in range(arguments.repeat):
                for case in CASES:
                    times[case].append(one_round(directory, case))
    baseline = statistics.median(times[CASES[0]])
    print(f"{arguments.backend}, {arguments.revisions} revisions, median of {arguments.repeat}:")
    loads = (load_before, os.getloadavg())
    print("  load average " + " then ".join(" ".join(f"{x:.2f}" for x in load) for load in loads))
    for case in CASES:
        median = statistics.median(times[case])
        print(f"  {case:<20} {median:8.2f} s  {median / baseline:5.2f}x")
    ratios = [statistics.median(times[case]) / baseline for case in CASES[1:]]
    print(f"summary: verify {ratios[0]:.2f}x (target 3x), --no-data {ratios[1]:.2f}x (target 1.5x)")


if __name__ == "__main__":
    main()
