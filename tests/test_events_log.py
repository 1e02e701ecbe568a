"""The ``--events`` log never decides the outcome: a log that cannot be written is one warning,
and a log that cannot be opened is one error before anything runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.databases import Database
from tests.projects import AlembicProject


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database) -> AlembicProject:
    created = AlembicProject.create(tmp_path / "project", sqlite_database)
    created.alembic("revision", "-m", "one")
    return created


def applied(database: Database) -> bool:
    """Whether a revision was applied (a plain ``alembic revision`` runs the template's env.py,
    which may create the empty version table)."""
    if "alembic_version" not in database.table_names():
        return False
    with database.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() != 0


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_for_the_log_warns_once_and_the_migration_succeeds(
    project: AlembicProject,
) -> None:
    done = project.lback("--events", "/dev/full", "migrate", check=False)
    assert done.returncode == 0, done.stderr
    assert applied(project.database)
    assert "Traceback" not in done.stderr
    warnings = [line for line in done.stderr.splitlines() if "events log" in line]
    assert warnings == [
        "warning: cannot write the events log /dev/full (No space left on device); "
        "the run goes on without it"
    ]


def test_a_log_in_a_missing_directory_is_one_line_before_anything_runs(
    project: AlembicProject, tmp_path: Path
) -> None:
    done = project.lback("--events", str(tmp_path / "missing" / "x.jsonl"), "migrate", check=False)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: --events: cannot open {tmp_path / 'missing' / 'x.jsonl'} (No such file or "
        "directory); name a file in an existing directory this user may write to"
    ]
    assert not applied(project.database)


def test_a_log_below_a_regular_file_is_one_line_before_anything_runs(
    project: AlembicProject, tmp_path: Path
) -> None:
    (tmp_path / "plain").write_text("")
    done = project.lback("--events", str(tmp_path / "plain" / "x.jsonl"), "migrate", check=False)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert "--events" in done.stderr
    assert not applied(project.database)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
def test_a_log_in_a_read_only_directory_is_one_line_before_anything_runs(
    project: AlembicProject, tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    done = project.lback("--events", str(locked / "x.jsonl"), "migrate", check=False)
    assert done.returncode == 2
    assert "Permission denied" in done.stderr
    assert not applied(project.database)
