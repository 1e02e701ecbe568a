"""``alembic check`` against a database that also holds thousands of unrelated tables.

A 20-table model is checked on SQLite and PostgreSQL while the database holds 0, then 2,000
tables the model knows nothing about (another application's). Three environments are compared
in the same run, against the same databases:

``lback``
    ``env.py`` from ``alembic init -t lback``: ``lback.target_metadata`` set, every other option
    at its default (``lback.only_metadata_tables = true``: unknown tables are filtered by name
    *before* reflection).
``include_name``
    a hand-written ``env.py`` whose only filter is the cheapest possible ``include_name``: a set
    lookup of the model's table names. It is the floor: what Alembic and SQLAlchemy themselves
    cost with that many tables in the catalog when nothing unknown is reflected.
``include_object``
    a hand-written ``env.py`` whose only filter is an ``include_object`` that drops reflected
    tables the model does not define: the usual recipe, which still reflects every table.

What is timed by default is ``alembic.command.check(config)`` called in this process: the
median of ``--repeat`` calls per case, the cases interleaved round by round so that a busy
machine slows them alike. In-process calls leave out interpreter start-up and imports, which are
the same in every case and would only dilute the ratios; each call still runs ``env.py``, opens
a connection and compares the whole model. ``--mode subprocess`` times the stock ``alembic -c
INI check`` command instead, as a user or a CI job runs it.

Run it::

    python benchmarks/check_unrelated_tables.py [--repeat 11] [--backends sqlite postgresql]
    python benchmarks/check_unrelated_tables.py --mode subprocess

PostgreSQL is found through ``LBACK_BENCH_POSTGRESQL_URL`` (default: the local server); the
script creates its own database there and drops it afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

MODEL_TABLES = 20
UNRELATED_TABLES = (0, 2000)
TARGET_RATIO = 1.1
ENVIRONMENTS = ("lback", "include_name", "include_object")
POSTGRESQL_URL = os.environ.get(
    "LBACK_BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

MODELS = '''
"""A 20-table model: each table has a few typed columns, an index, and a foreign key to the
table before it."""

import sqlalchemy as sa

metadata = sa.MetaData()

for number in range(20):
    columns = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    ]
    if number:
        columns.append(sa.Column("parent_id", sa.ForeignKey(f"model_{number - 1:02d}.id")))
    sa.Table(f"model_{number:02d}", metadata, *columns, sa.Index(None, "name"))
'''

HAND_WRITTEN_ENV = '''
"""A minimal hand-written environment: only a FILTER_NAME filter."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from benchmark_models import metadata

config = context.config
FILTER

connectable = engine_from_config(
    config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
)
with connectable.connect() as connection:
    context.configure(
        connection=connection, target_metadata=metadata, FILTER_NAME=FILTER_NAME
    )
    with context.begin_transaction():
        context.run_migrations()
'''

HAND_WRITTEN_FILTERS = {
    "include_name": """
model_tables = {table.name for table in metadata.sorted_tables}


def include_name(name, type_, parent_names):
    return type_ != "table" or name in model_tables
""",
    "include_object": """
def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and reflected and compare_to is None)
""",
}

UNRELATED_DDL = (
    "CREATE TABLE {name} (id INTEGER PRIMARY KEY, label VARCHAR(40) NOT NULL, "
    "value INTEGER, note TEXT)",
    "CREATE INDEX ix_{name}_label ON {name} (label)",
)


Case = tuple[str, int]
"""An environment name and the number of unrelated tables in its database."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def benchmark_database(backend: str, directory: Path, label: str) -> Iterator[sa.URL]:
    """A new, empty database on ``backend``, dropped afterwards."""
    if backend == "sqlite":
        yield make_url(f"sqlite:///{directory / f'{label}.db'}")
        return
    name = f"lback_bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRESQL_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(POSTGRESQL_URL).set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def set_option(ini: Path, key: str, value: str) -> None:
    """Set ``key`` in the ``[alembic]`` section of ``ini``, keeping the rest of the file."""
    text = ini.read_text()
    line = f"{key} = {value}"
    pattern = re.compile(rf"^#?\s*{re.escape(key)}\s*=.*$", re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(lambda _: line, text, count=1)
    else:
        text = text.replace("[alembic]\n", f"[alembic]\n{line}\n", 1)
    ini.write_text(text)


def quiet_config(ini: Path) -> Config:
    """A config whose messages ("No new upgrade operations detected.") go nowhere."""
    return Config(str(ini), stdout=io.StringIO())


def write_environments(directory: Path, urls: dict[int, sa.URL]) -> dict[Case, Config]:
    """Write the model and both environments into ``directory``, with one ini file per
    environment and database; return their configs."""
    (directory / "benchmark_models.py").write_text(MODELS)
    template_ini = directory / "lback.ini"
    with contextlib.redirect_stdout(io.StringIO()):
        command.init(quiet_config(template_ini), str(directory / "lback_env"), template="lback")
    set_option(template_ini, "lback.target_metadata", "benchmark_models:metadata")
    for name, filter_source in HAND_WRITTEN_FILTERS.items():
        (directory / f"{name}_env" / "versions").mkdir(parents=True)
        source = HAND_WRITTEN_ENV.replace("FILTER_NAME", name).replace("FILTER", filter_source)
        (directory / f"{name}_env" / "env.py").write_text(source)

    configs: dict[Case, Config] = {}
    for unrelated, url in urls.items():
        url_option = url.render_as_string(hide_password=False).replace("%", "%%")
        lback_ini = directory / f"lback_{unrelated}.ini"
        lback_ini.write_text(template_ini.read_text())
        set_option(lback_ini, "sqlalchemy.url", url_option)
        configs[("lback", unrelated)] = quiet_config(lback_ini)
        for name in HAND_WRITTEN_FILTERS:
            ini = directory / f"{name}_{unrelated}.ini"
            ini.write_text(
                f"[alembic]\nscript_location = %(here)s/{name}_env\nsqlalchemy.url = {url_option}\n"
            )
            configs[(name, unrelated)] = quiet_config(ini)
    return configs


def create_unrelated_tables(url: sa.URL, count: int) -> None:
    """Create ``count`` tables, each with an index, that the model does not define.

    One transaction per hundred tables: PostgreSQL holds a lock per created table until commit.
    """
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    for first in range(0, count, 100):
        with engine.begin() as connection:
            for number in range(first, min(first + 100, count)):
                for statement in UNRELATED_DDL:
                    connection.exec_driver_sql(statement.format(name=f"unrelated_{number:04d}"))
    engine.dispose()


def check_runner(mode: str, directory: Path) -> Callable[[Config], object]:
    """How one check runs: ``alembic.command.check`` in this process, or the stock ``alembic``
    command in a new process (interpreter start-up and imports included)."""
    if mode == "in-process":
        return command.check
    alembic = Path(sys.executable).parent / "alembic"
    environment = {**os.environ, "PYTHONPATH": str(directory)}

    def run_alembic(config: Config) -> object:
        return subprocess.run(
            [str(alembic), "-c", str(config.config_file_name), "check"],
            cwd=directory,
            env=environment,
            check=True,
            capture_output=True,
        )

    return run_alembic


def measure(
    configs: dict[Case, Config], repeat: int, check: Callable[[Config], object]
) -> dict[Case, float]:
    """Median seconds of one check per case, the cases interleaved round by round."""
    for config in configs.values():
        check(config)  # warm-up: imports, first connection, server caches
    samples: dict[Case, list[float]] = {case: [] for case in configs}
    for round_number in range(repeat):
        log(f"  round {round_number + 1}/{repeat}")
        for case, config in configs.items():
            started = time.perf_counter()
            check(config)
            samples[case].append(time.perf_counter() - started)
    return {case: statistics.median(values) for case, values in samples.items()}


def run_backend(backend: str, repeat: int, mode: str) -> dict[Case, float]:
    """Medians per case on one backend, each count of unrelated tables in its own database."""
    with contextlib.ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        urls = {
            unrelated: stack.enter_context(
                benchmark_database(backend, directory, f"unrelated{unrelated}")
            )
            for unrelated in UNRELATED_TABLES
        }
        configs = write_environments(directory, urls)
        sys.path.insert(0, str(directory))
        try:
            metadata: sa.MetaData = importlib.import_module("benchmark_models").metadata

            for unrelated, url in urls.items():
                log(f"{backend}: the model and {unrelated} unrelated tables")
                engine = sa.create_engine(url, poolclass=sa.NullPool)
                metadata.create_all(engine)
                engine.dispose()
                create_unrelated_tables(url, unrelated)
            log(f"{backend}: {repeat} rounds of {len(configs)} checks")
            return measure(configs, repeat, check_runner(mode, directory))
        finally:
            sys.path.remove(str(directory))
            sys.modules.pop("benchmark_models", None)


def report(results: dict[str, dict[Case, float]], repeat: int, mode: str) -> None:
    low, high = UNRELATED_TABLES
    runs = "in-process calls" if mode == "in-process" else "runs of the alembic command"
    print(f"alembic check, {MODEL_TABLES}-table model, median of {repeat} {runs}")
    print("ratio: time with 2,000 unrelated tables / time with none")
    print("vs floor: time with 2,000 unrelated tables / include_name's time with 2,000")
    print()
    print(f"{'backend':<11} {'environment':<15} {low:>10,} {high:>10,}    ratio  vs floor")
    for backend, medians in results.items():
        floor = medians[("include_name", high)]
        for name in ENVIRONMENTS:
            base, crowded = medians[(name, low)], medians[(name, high)]
            print(
                f"{backend:<11} {name:<15} {base * 1000:>8.1f}ms {crowded * 1000:>8.1f}ms"
                f"  {crowded / base:6.2f}x  {crowded / floor:7.2f}x"
            )
    print()
    print(f"target for lback: at most {TARGET_RATIO}x with {high:,} unrelated tables")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds (median)")
    parser.add_argument(
        "--mode",
        choices=["in-process", "subprocess"],
        default="in-process",
        help="call alembic.command.check here, or run the stock alembic command each time",
    )
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    arguments = parser.parse_args()
    # the application configures logging: env.py then leaves it alone and checks print nothing
    logging.basicConfig(level=logging.WARNING)
    results = {
        backend: run_backend(backend, arguments.repeat, arguments.mode)
        for backend in arguments.backends
    }
    report(results, arguments.repeat, arguments.mode)


if __name__ == "__main__":
    main()
