"""Ctrl-C during ``lback-migrations migrate``: no traceback, exit 130, and a report saying which
revision was stopped, whether it was rolled back and where the version table stands. The
templates' deploy policy writes the full failure report; an ``env.py`` without it (one written
before the policy existed) gets one line from the command itself."""

from __future__ import annotations

import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from tests.databases import Database
from tests.projects import URL_ENVIRONMENT_VARIABLES, AlembicProject, command_path


def write_revision(project: AlembicProject, revision: str, down: str | None, body: str) -> None:
    (project.versions / f"{revision}_step.py").write_text(
        f'"""{revision}"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
        f"revision = {revision!r}\ndown_revision = {down!r}\n"
        "branch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade() -> None:\n"
        + textwrap.indent(textwrap.dedent(body).strip(), "    ")
        + "\n\n\ndef downgrade() -> None:\n    pass\n"
    )


def interrupted_migrate(project: AlembicProject, started: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in URL_ENVIRONMENT_VARIABLES}
    process = subprocess.Popen(
        [command_path("lback-migrations"), "migrate"],
        cwd=project.root,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 90
    while not started.exists():
        assert time.monotonic() < deadline, "the migration never started"
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture(params=["postgresql", "mariadb"])
def backend_database(request: pytest.FixtureRequest) -> Database:
    database: Database = request.getfixturevalue(f"{request.param}_database")
    return database


def write_interrupted_history(project: AlembicProject, started: Path) -> None:
    write_revision(
        project,
        "a1",
        None,
        'op.create_table("first", sa.Column("id", sa.Integer, primary_key=True))',
    )
    write_revision(
        project,
        "b2",
        "a1",
        f"""
        op.create_table("half", sa.Column("id", sa.Integer, primary_key=True))
        import pathlib, time
        pathlib.Path({str(started)!r}).write_text("started")
        time.sleep(60)
        """,
    )


def test_ctrl_c_during_migrate_reports_what_the_deploy_policy_stopped_and_exits_130(
    tmp_path: Path, backend_database: Database
) -> None:
    project = AlembicProject.create(tmp_path / "project", backend_database)
    started = tmp_path / "started"
    write_interrupted_history(project, started)
    done = interrupted_migrate(project, started)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr
    assert "revision b2 (upgrade) interrupted on" in done.stderr
    tables = backend_database.table_names()
    if backend_database.backend == "postgresql":
        assert "(rolled back)" in done.stderr
        assert "rolled back with it (reported done earlier in this run): a1" in done.stderr
        assert "half" not in tables
    else:
        assert "NOT rolled back" in done.stderr
        assert "now says: a1" in done.stderr
        assert "half" in tables


def test_ctrl_c_under_an_env_py_without_the_deploy_policy_is_one_line_and_exit_130(
    tmp_path: Path, backend_database: Database
) -> None:
    project = AlembicProject.create(tmp_path / "project", backend_database)
    env_py = project.root / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "environment.run_migrations(context)",
            "with context.begin_transaction():\n            context.run_migrations()",
        )
    )
    assert "environment.run_migrations" not in env_py.read_text()
    started = tmp_path / "started"
    write_interrupted_history(project, started)
    done = interrupted_migrate(project, started)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("interrupted:")]
    assert len(lines) == 1, done.stderr
    line = lines[0]
    assert "upgrade stopped during revision b2" in line
    tables = backend_database.table_names()
    if backend_database.backend == "postgresql":
        assert "rolled back with the steps of this run (a1)" in line
        assert line.endswith("the version table is at base (empty)")
        assert "half" not in tables
    else:
        assert "not rolled back" in line
        assert line.endswith("the version table is at a1")
        assert "half" in tables
