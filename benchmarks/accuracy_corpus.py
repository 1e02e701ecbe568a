"""Accuracy of autogenerate on real projects: false operations and missed drift, three ways.

Each project of ``benchmarks/accuracy_corpus.toml`` ships its models and its Alembic history
in its wheel. For every project and every backend it supports, the script

1. downloads the pinned wheel (``pip download --no-deps``) into the cache directory and
   installs it with its dependencies, lback-migrations and the database drivers into a
   virtual environment of its own there (``--cache``, default ``.lback-cache/accuracy``),
   and reinstalls lback-migrations alone there whenever its sources have changed since;
2. creates an empty database and brings it to the head by the project's own path:
   ``alembic upgrade heads`` on the migrations the wheel ships, or, for a project that
   creates a new database otherwise (its own upgrade command, or ``create_all`` and a stamp
   in its start-up), the function of ``benchmarks/accuracy_projects.py`` that calls it;
3. compares the project's MetaData with that database three ways: stock Alembic's defaults,
   stock with ``compare_server_default=True``, and the ``lback`` template's options;
4. classifies every reported operation through ``[[operation]]`` entries of the same file:
   ``drift`` (a real difference between the models and the history) or ``false`` (the
   database holds what the models say), each with a one-line reason.

It prints one row per project and backend, then a summary line, and exits 1 when the
``lback`` comparison reports a false or an unclassified operation or misses a classified
drift. It is run by hand (or on a schedule), not by the test suite::

    python benchmarks/accuracy_corpus.py [--projects optuna mlflow] [--backends sqlite]

PostgreSQL and MariaDB are found through ``LBACK_BENCH_POSTGRESQL_URL`` and
``LBACK_BENCH_MARIADB_URL`` (defaults: the local servers); the script creates a database per
run there and drops it afterwards.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

REPOSITORY = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).with_name("accuracy_corpus.toml")
WAYS = ("stock", "stock_server_defaults", "lback")
SERVER_URLS = {
    "postgresql": os.environ.get(
        "LBACK_BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    ),
    "mariadb": os.environ.get("LBACK_BENCH_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/"),
}
DRIVERS = ("psycopg[binary]", "pymysql")
ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "mariadb": "mysql+aiomysql",
}
INSTALL_TIMEOUT = 900
WORKER_TIMEOUT = 600


@dataclass(frozen=True)
class Project:
    """One project of the corpus, as ``[[project]]`` in the data file describes it."""

    name: str
    requirement: str
    shape: str
    script_location: str
    metadata: tuple[str, ...]
    backends: tuple[str, ...]
    imports: tuple[str, ...] = ()
    upgrade: str | None = None
    """``module:function`` that brings an empty database to the head, called with an Engine
    (the project's own path, for a history whose base is a schema ``create_all`` made);
    ``None`` runs ``alembic upgrade heads``."""
    url_environment: str | None = None
    """An environment variable through which ``upgrade`` (then called without arguments) reads
    the database URL, with the backend's async driver."""
    config_file: str | None = None
    version_table: str = "alembic_version"
    extra_requirements: tuple[str, ...] = ()
    environment: dict[str, str] = field(default_factory=dict)
    environment_name: str | None = None
    """The virtual environment's name, for entries that share one wheel (default: ``name``)."""
    sqlite_file: str = "corpus.db"
    """The SQLite database's file name, for a project whose own start names its file."""


@dataclass(frozen=True)
class Verdict:
    """What one reported operation is: ``drift`` or ``false``, and why."""

    verdict: str
    reason: str


def load_corpus(path: Path) -> tuple[list[Project], dict[tuple[str, str, str], Verdict]]:
    """The projects and the classification of the operations they report."""
    data = tomllib.loads(path.read_text())
    projects = [
        Project(
            name=entry["name"],
            requirement=entry["requirement"],
            shape=entry["shape"],
            script_location=entry["script_location"],
            metadata=tuple(entry["metadata"]),
            backends=tuple(entry["backends"]),
            imports=tuple(entry.get("imports", ())),
            upgrade=entry.get("upgrade"),
            url_environment=entry.get("url_environment"),
            config_file=entry.get("config_file"),
            version_table=entry.get("version_table", "alembic_version"),
            extra_requirements=tuple(entry.get("extra_requirements", ())),
            environment=dict(entry.get("environment", {})),
            environment_name=entry.get("environment_name"),
            sqlite_file=entry.get("sqlite_file", "corpus.db"),
        )
        for entry in data["project"]
    ]
    verdicts: dict[tuple[str, str, str], Verdict] = {}
    for entry in data.get("operation", []):
        for backend in entry["backends"]:
            key = (entry["project"], backend, entry["operation"])
            verdicts[key] = Verdict(entry["verdict"], entry["reason"])
    return projects, verdicts


# --- the parent: environments, workers, the table -------------------------------------------


def environment_python(project: Project, cache: Path) -> Path:
    """The interpreter of the project's own virtual environment, made on first use."""
    venv = cache / "venvs" / (project.environment_name or project.name)
    python = venv / "bin" / "python"
    marker = venv / "installed.txt"
    wanted = "\n".join((project.requirement, *project.extra_requirements))
    if marker.exists() and marker.read_text() == wanted:
        refresh_package(python, venv / "lback-migrations.txt")
        return python
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            "-d",
            str(wheels),
            project.requirement,
        ],
        check=True,
        timeout=INSTALL_TIMEOUT,
    )
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--find-links",
            str(wheels),
            project.requirement,
            *project.extra_requirements,
            *DRIVERS,
            str(REPOSITORY),
        ],
        check=True,
        timeout=INSTALL_TIMEOUT,
    )
    marker.write_text(wanted)
    (venv / "lback-migrations.txt").write_text(package_fingerprint())
    return python


def package_fingerprint() -> str:
    """A digest of the package's sources: an environment made before a change of them would
    otherwise measure the package as it was."""
    digest = hashlib.sha256()
    for path in sorted((REPOSITORY / "src").rglob("*")) + sorted(
        (REPOSITORY / "env_templates").rglob("*")
    ):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(REPOSITORY).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def refresh_package(python: Path, marker: Path) -> None:
    """Reinstall lback-migrations (only it) into an environment whose copy is out of date."""
    fingerprint = package_fingerprint()
    if marker.exists() and marker.read_text() == fingerprint:
        return
    reinstall = ["install", "-q", "--no-deps", "--force-reinstall", str(REPOSITORY)]
    subprocess.run(
        [str(python), "-m", "pip", *reinstall],
        check=True,
        timeout=INSTALL_TIMEOUT,
    )
    marker.write_text(fingerprint)


def run_worker(python: Path, project: Project, backend: str) -> dict[str, Any]:
    """Compare one project on one backend in its environment; the worker's JSON answer."""
    done = subprocess.run(
        [str(python), str(Path(__file__).resolve()), "--worker", project.name, backend],
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT,
        check=False,
        env={**os.environ, **project.environment},
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        errors = [line for line in done.stderr.splitlines() if line and not line[0].isspace()]
        named = [line for line in errors if "Error" in line.split(":")[0]]
        return {"error": (named or errors or ["no output"])[-1][:160]}
    return json.loads(lines[-1])  # type: ignore[no-any-return]


@dataclass
class Row:
    """The counts of one project on one backend."""

    project: str
    backend: str
    counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    """way -> (real drift found, false operations, unclassified operations)."""
    missed: int = 0
    error: str | None = None
    unclassified: list[str] = field(default_factory=list)


def classify(
    project: str, backend: str, answer: dict[str, list[str]], verdicts: dict[Any, Verdict]
) -> Row:
    row = Row(project, backend)
    drift_anywhere: set[str] = set()
    for way in WAYS:
        found = false = unknown = 0
        for operation in answer[way]:
            verdict = verdicts.get((project, backend, operation))
            if verdict is None:
                unknown += 1
                row.unclassified.append(f"{way}: {operation}")
            elif verdict.verdict == "drift":
                found += 1
                drift_anywhere.add(operation)
            else:
                false += 1
        row.counts[way] = (found, false, unknown)
    row.missed = len(drift_anywhere - set(answer["lback"]))
    return row


def print_table(rows: list[Row]) -> None:
    header = f"{'project':<22} {'backend':<11}" + "".join(f" {way:>24}" for way in WAYS)
    print(header)
    print(" " * 34 + "".join(f" {'drift/false/unknown':>24}" for _ in WAYS) + "   missed")
    for row in rows:
        if row.error is not None:
            print(f"{row.project:<22} {row.backend:<11} ERROR {row.error}")
            continue
        cells = "".join(f" {'/'.join(map(str, row.counts[way])):>24}" for way in WAYS)
        print(f"{row.project:<22} {row.backend:<11}{cells}   {row.missed:>6}")
    for row in rows:
        for operation in row.unclassified:
            print(f"  unclassified {row.project} {row.backend} {operation}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=2, metavar=("PROJECT", "BACKEND"), help=argparse.SUPPRESS)
    parser.add_argument("--projects", nargs="*", help="only these projects")
    parser.add_argument("--backends", nargs="*", help="only these backends")
    parser.add_argument("--cache", type=Path, default=REPOSITORY / ".lback-cache" / "accuracy")
    options = parser.parse_args(argv)
    projects, verdicts = load_corpus(CORPUS)
    if options.worker:
        name, backend = options.worker
        project = next(item for item in projects if item.name == name)
        print(json.dumps(compare_project(project, backend)))
        return 0
    rows: list[Row] = []
    for project in projects:
        if options.projects and project.name not in options.projects:
            continue
        try:
            python = environment_python(project, options.cache)
        except (subprocess.SubprocessError, OSError) as error:
            rows.append(Row(project.name, "-", error=f"install failed: {error}"))
            continue
        for backend in project.backends:
            if options.backends and backend not in options.backends:
                continue
            answer = run_worker(python, project, backend)
            if "error" in answer:
                rows.append(Row(project.name, backend, error=str(answer["error"])))
                continue
            rows.append(classify(project.name, backend, answer, verdicts))
    print_table(rows)
    compared = [row for row in rows if row.error is None]
    totals = {
        way: tuple(sum(row.counts[way][index] for row in compared) for index in range(3))
        for way in WAYS
    }
    missed = sum(row.missed for row in compared)
    errors = len(rows) - len(compared)
    print(
        f"summary: {len(compared)} project-backend runs, {errors} failed to run; "
        + "; ".join(
            f"{way}: {found} drift, {false} false, {unknown} unclassified"
            for way, (found, false, unknown) in totals.items()
        )
        + f"; lback missed {missed} drift"
    )
    _, lback_false, lback_unknown = totals["lback"]
    return 1 if lback_false or lback_unknown or missed or errors else 0


# --- the worker: runs inside the project's environment --------------------------------------


@contextmanager
def empty_database(backend: str, directory: Path, sqlite_file: str) -> Iterator[str]:
    """The URL of a new, empty database on ``backend``, dropped afterwards."""
    import sqlalchemy as sa

    if backend == "sqlite":
        yield f"sqlite:///{directory / sqlite_file}"
        return
    name = f"lback_accuracy_{uuid.uuid4().hex[:10]}"
    options = {"isolation_level": "AUTOCOMMIT"} if backend == "postgresql" else {}
    admin = sa.create_engine(SERVER_URLS[backend], poolclass=sa.pool.NullPool, **options)
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
        connection.commit()
    try:
        yield (
            sa.make_url(SERVER_URLS[backend])
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            force = " WITH (FORCE)" if backend == "postgresql" else ""
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}{force}"))
            connection.commit()
        admin.dispose()


def _site_path(relative: str) -> Path:
    import importlib.util

    top = relative.split("/")[0]
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{top} is not installed")
    return Path(next(iter(spec.submodule_search_locations))).parent / relative


def _alembic_config(project: Project, url: str) -> Any:
    from alembic.config import Config

    config_file = str(_site_path(project.config_file)) if project.config_file else None
    config = Config(config_file)
    config.set_main_option("script_location", str(_site_path(project.script_location)))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _metadata(project: Project) -> list[Any]:
    import importlib

    from lback_migrations.metadata import import_target_metadata

    for module in project.imports:
        importlib.import_module(module)
    return import_target_metadata(project.metadata, source=str(CORPUS))


def _describe(diff: Any) -> list[str]:
    """Stable one-line names of an autogenerate diff: ``modify_type trial.value``."""
    from lback_migrations.runners.instrumented import describe_diff

    if isinstance(diff, list):
        return [line for item in diff for line in _describe(item)]
    subject = diff[1] if len(diff) > 1 else None
    table = getattr(subject, "table", None)
    if table is not None and hasattr(table, "name") and not isinstance(subject, str):
        return [f"{diff[0]} {table.name}.{getattr(subject, 'name', None) or '?'}"]
    return [describe_diff(diff)]


def compare_project(project: Project, backend: str) -> dict[str, list[str]]:
    """Bring a new database to the head with the project's history, then compare three ways."""
    import importlib
    import logging

    import sqlalchemy as sa
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from lback_migrations.environment import MigrationEnvironment
    from lback_migrations.settings import Settings

    logging.disable(logging.WARNING)
    with (
        tempfile.TemporaryDirectory() as directory,
        empty_database(backend, Path(directory), project.sqlite_file) as url,
    ):
        config = _alembic_config(project, url)
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        if project.upgrade is None:
            command.upgrade(config, "heads")
        else:
            module, _, function = project.upgrade.partition(":")
            upgrade = getattr(importlib.import_module(module), function)
            if project.url_environment is None:
                upgrade(engine)
            else:
                driver = ASYNC_DRIVERS[backend]
                async_url = sa.make_url(url).set(drivername=driver)
                os.environ[project.url_environment] = async_url.render_as_string(False)
                upgrade()
        metadata = _metadata(project)
        target = metadata[0] if len(metadata) == 1 else metadata
        answer: dict[str, list[str]] = {}
        try:
            for way in WAYS:
                with engine.connect() as connection:
                    if way == "lback":
                        settings = Settings(version_table=project.version_table)
                        environment = MigrationEnvironment(config, settings, metadata)
                        options = environment.configure_options(connection.dialect.name)
                        for not_comparison in ("process_revision_directives", "on_version_apply"):
                            options.pop(not_comparison)
                    else:
                        options = {
                            "target_metadata": target,
                            "version_table": project.version_table,
                            "compare_server_default": way == "stock_server_defaults",
                        }
                    context = MigrationContext.configure(connection, opts=options)
                    diffs = compare_metadata(context, target)
                    answer[way] = sorted(line for diff in diffs for line in _describe(diff))
        finally:
            engine.dispose()
    return answer


if __name__ == "__main__":
    sys.exit(main())
