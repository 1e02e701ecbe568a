"""A migration that meets a busy table gives up after ``lback.lock_timeout`` instead of
stalling every query behind it, and is retried from its start while nothing of it stayed
applied."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config

from lback_migrations.errors import ConfigurationError
from lback_migrations.settings import load_settings
from tests.databases import Database
from tests.projects import AlembicProject, command_path

RUN_TIMEOUT = 90


class TableLock:
    """A lock on table ``busy`` held by a second connection, as a long transaction of the
    application holds one."""

    def __init__(self, database: Database) -> None:
        self.engine = sa.create_engine(database.url, poolclass=sa.pool.NullPool)
        self.connection = self.engine.connect()
        if database.backend == "postgresql":
            self.connection.execute(sa.text("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE"))
        elif database.backend == "mariadb":
            self.connection.execute(sa.text("SELECT * FROM busy"))  # holds the metadata lock
        else:
            self.connection.exec_driver_sql("BEGIN EXCLUSIVE")
        self.released = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.connection.rollback()
            self.connection.close()
            self.engine.dispose()


@contextmanager
def table_locked(database: Database) -> Iterator[TableLock]:
    lock = TableLock(database)
    try:
        yield lock
    finally:
        lock.release()


def migrate_releasing_at_first_retry(
    project: AlembicProject, lock: TableLock
) -> subprocess.CompletedProcess[str]:
    """Run ``lback-migrations migrate``; release ``lock`` once it says it will retry."""
    argv = [command_path("lback-migrations"), "migrate"]
    process = subprocess.Popen(
        argv, cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    stderr_lines: list[str] = []
    assert process.stderr is not None
    timer = threading.Timer(RUN_TIMEOUT, process.kill)
    timer.start()
    try:
        for line in process.stderr:
            stderr_lines.append(line)
            if "retry 1 of" in line:
                lock.release()
        stdout, _ = process.communicate(timeout=RUN_TIMEOUT)
    finally:
        timer.cancel()
    return subprocess.CompletedProcess(argv, process.returncode, stdout, "".join(stderr_lines))


def busy_project(root: Path, database: Database, **options: str) -> AlembicProject:
    project = AlembicProject.create(root, database, options={"lock_timeout": "1s", **options})
    with database.connect() as connection:
        connection.execute(sa.text("CREATE TABLE busy (id INTEGER PRIMARY KEY)"))
    project.write_revision("r1", 'op.add_column("busy", sa.Column("name", sa.String(20)))')
    return project


def test_migrate_retries_after_a_lock_timeout_and_succeeds_once_the_lock_is_released(
    database: Database, tmp_path: Path
) -> None:
    project = busy_project(tmp_path / "project", database)

    with table_locked(database) as lock:
        result = migrate_releasing_at_first_retry(project, lock)

    assert result.returncode == 0, result.stdout + result.stderr
    retries = [line for line in result.stderr.splitlines() if "waited longer than 1s" in line]
    assert retries, result.stderr
    assert all("lback.lock_timeout" in line and "retry" in line for line in retries)
    assert project.version_table() == {"r1"}


def test_migrate_fails_after_the_last_retry_with_the_lock_timeout_named(
    database: Database, tmp_path: Path
) -> None:
    project = busy_project(tmp_path / "project", database, lock_timeout_retries="1")

    started = time.monotonic()
    with table_locked(database):
        result = project.lback("migrate", check=False)
    took = time.monotonic() - started

    assert result.returncode != 0
    failure = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failure) == 1
    assert " failed on " in failure[0]
    assert "lback.lock_timeout" in failure[0]
    assert len([line for line in result.stderr.splitlines() if "retry 1 of 1" in line]) == 1
    assert took < 30
    assert project.version_table() == set()


def test_the_run_s_timeouts_come_back_after_a_revision_that_states_its_own(
    postgresql_database: Database, tmp_path: Path
) -> None:
    project = AlembicProject.create(
        tmp_path / "project", postgresql_database, options={"lock_timeout": "1s"}
    )
    project.write_revision(
        "r1",
        'op.execute("SELECT 1")',
        header='lock_timeout = "7s"\nstatement_timeout = "1min"',
    )
    project.write_revision(
        "r2",
        """
        bind = op.get_bind()
        lock = bind.execute(sa.text("SHOW lock_timeout")).scalar()
        statement = bind.execute(sa.text("SHOW statement_timeout")).scalar()
        op.execute(f"CREATE TABLE seen AS SELECT '{lock} {statement}'::text AS value")
        """,
        down_revision="r1",
    )

    project.lback("migrate")

    with postgresql_database.connect() as connection:
        assert connection.scalar(sa.text("SELECT value FROM seen")) == "1s 0"


def test_a_revision_file_can_state_its_own_lock_timeout(
    postgresql_database: Database, tmp_path: Path
) -> None:
    project = AlembicProject.create(
        tmp_path / "project", postgresql_database, options={"lock_timeout": "1s"}
    )
    project.write_revision(
        "r1",
        """
        value = op.get_bind().execute(sa.text("SHOW lock_timeout")).scalar()
        op.execute(f"CREATE TABLE seen AS SELECT '{value}'::text AS value")
        """,
        header='lock_timeout = "7s"',
    )

    project.lback("migrate")

    with postgresql_database.connect() as connection:
        assert connection.scalar(sa.text("SELECT value FROM seen")) == "7s"


def assert_statement_timeout_fails_the_revision(
    database: Database, tmp_path: Path, sleep: str
) -> None:
    project = AlembicProject.create(
        tmp_path / "project", database, options={"statement_timeout": "500ms"}
    )
    project.write_revision("r1", f"op.execute({sleep!r})")

    result = project.lback("migrate", check=False)

    assert result.returncode != 0
    assert "ran longer than lback.statement_timeout" in result.stdout
    assert project.version_table() == set()


def test_a_statement_longer_than_statement_timeout_fails_on_postgresql(
    postgresql_database: Database, tmp_path: Path
) -> None:
    assert_statement_timeout_fails_the_revision(postgresql_database, tmp_path, "SELECT pg_sleep(5)")


def test_a_statement_longer_than_statement_timeout_fails_on_mariadb(
    mariadb_database: Database, tmp_path: Path
) -> None:
    assert_statement_timeout_fails_the_revision(mariadb_database, tmp_path, "SELECT SLEEP(5)")


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("5s", 5.0), ("500ms", 0.5), ("2min", 120.0), ("1h", 3600.0), ("3", 3.0), ("off", None)],
)
def test_timeouts_are_read_as_users_write_them(
    written: str, seconds: float | None, tmp_path: Path
) -> None:
    ini = tmp_path / "alembic.ini"
    ini.write_text(f"[alembic]\nlback.lock_timeout = {written}\n")

    assert load_settings(Config(str(ini))).lock_timeout == seconds


def test_a_timeout_that_is_not_a_duration_names_the_key_and_the_file(tmp_path: Path) -> None:
    ini = tmp_path / "alembic.ini"
    ini.write_text("[alembic]\nlback.statement_timeout = soon\n")

    with pytest.raises(ConfigurationError) as raised:
        load_settings(Config(str(ini)))

    assert raised.value.key == "[alembic] lback.statement_timeout"
    assert str(ini) in str(raised.value)
    assert "500ms, 5s, 2min or 1h" in str(raised.value)
