"""The connection ``env.py`` runs on: one handed in by an application (Alembic's cookbook
pattern), or a new one; and a database that cannot be reached, reported in one line."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.databases import Database
from tests.projects import AlembicProject

MODELS = """
    from sqlalchemy import ForeignKey, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Author(Base):
        __tablename__ = "author"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(50))
"""
OPTIONS = {"target_metadata": "app.models:Base.metadata"}

# An application upgrading its database through Alembic's API, handing in its own engine or
# connection as the cookbook shows.
UPGRADE_WITH_HANDED_IN = """
import asyncio
import sys

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import create_async_engine

kind, url = sys.argv[1], sys.argv[2]
config = Config("alembic.ini")
if kind == "engine":
    engine = sa.create_engine(url)
    config.attributes["connection"] = engine
    command.upgrade(config, "head")
    engine.dispose()
elif kind == "connection":
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()
else:
    engine = create_async_engine(url)
    config.attributes["connection"] = engine
    command.upgrade(config, "head")
    asyncio.run(engine.dispose())
"""

PASSWORD = "s3cret-pw"


def project_with_a_revision(root: Path, database: Database, template: str) -> AlembicProject:
    project = AlembicProject.create(
        root, database, models=MODELS, template=template, options=OPTIONS
    )
    assert project.autogenerate("create author") is not None
    return project


@pytest.mark.parametrize("template", ["lback", "lback_async"])
@pytest.mark.parametrize("kind", ["engine", "connection"])
def test_upgrade_runs_on_an_engine_or_connection_handed_in_through_config_attributes(
    tmp_path: Path, database: Database, template: str, kind: str
) -> None:
    project = project_with_a_revision(tmp_path / "project", database, template)
    project.run(sys.executable, "-c", UPGRADE_WITH_HANDED_IN, kind, database.url_string)
    assert {"author", "alembic_version"} <= database.table_names()


def test_async_template_runs_on_an_async_engine_handed_in(
    tmp_path: Path, database: Database
) -> None:
    project = project_with_a_revision(tmp_path / "project", database, "lback_async")
    project.run(
        sys.executable, "-c", UPGRADE_WITH_HANDED_IN, "async_engine", database.async_url_string
    )
    assert {"author", "alembic_version"} <= database.table_names()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


DOWN_URLS = {
    "postgresql": "postgresql+psycopg://bob:{password}@127.0.0.1:{port}/shop",
    "mariadb": "mysql+pymysql://bob:{password}@127.0.0.1:{port}/shop",
}


@pytest.fixture(params=sorted(DOWN_URLS))
def down_project(request: pytest.FixtureRequest, tmp_path: Path) -> AlembicProject:
    """A project whose sqlalchemy.url names a server that does not run."""
    port = _closed_port()
    url = make_url(DOWN_URLS[request.param].format(password=PASSWORD, port=port))
    project = AlembicProject.create(
        tmp_path / "project", Database(request.param, url), models=MODELS, options=OPTIONS
    )
    project.environment["DOWN_PORT"] = str(port)
    return project


def _one_failure_line(output: str, project: AlembicProject) -> str:
    assert "Traceback" not in output
    assert PASSWORD not in output
    failures = [line for line in output.splitlines() if line.startswith("FAILED:")]
    assert len(failures) == 1, output
    backend = project.database.url.get_backend_name()
    assert f"cannot connect to the {backend} database" in failures[0]
    assert f"127.0.0.1:{project.environment['DOWN_PORT']}/shop" in failures[0]
    return failures[0]


def test_stock_upgrade_on_a_database_that_is_down_fails_in_one_line(
    down_project: AlembicProject,
) -> None:
    result = down_project.alembic("upgrade", "head", check=False)
    assert result.returncode != 0
    _one_failure_line(result.stdout + result.stderr, down_project)


def test_migrate_on_a_database_that_is_down_fails_in_one_line(
    down_project: AlembicProject,
) -> None:
    result = down_project.lback("migrate", check=False)
    assert result.returncode != 0
    _one_failure_line(result.stdout + result.stderr, down_project)


def test_makemigrations_on_a_database_that_is_down_fails_in_one_line(
    down_project: AlembicProject,
) -> None:
    result = down_project.lback("makemigrations", "-m", "first", check=False)
    assert result.returncode != 0
    _one_failure_line(result.stdout + result.stderr, down_project)
    assert down_project.revision_files() == []


@pytest.mark.parametrize("argv", [["migrate", "--verbose"], ["--raiseerr", "migrate"]])
def test_migrate_shows_the_traceback_when_asked_password_masked(
    down_project: AlembicProject, argv: list[str]
) -> None:
    result = down_project.lback(*argv, check=False)
    assert result.returncode != 0
    assert "Traceback" in result.stderr
    assert "DatabaseConnectionError" in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_stock_raiseerr_shows_the_traceback(down_project: AlembicProject) -> None:
    result = down_project.alembic("--raiseerr", "upgrade", "head", check=False)
    assert result.returncode != 0
    assert "Traceback" in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_ci_says_why_the_drift_check_failed(down_project: AlembicProject) -> None:
    result = down_project.lback("ci", check=False)
    assert result.returncode != 0
    drift = next(line for line in result.stdout.splitlines() if line.startswith("drift"))
    assert "cannot connect to the" in drift
    assert PASSWORD not in result.stdout + result.stderr


def test_sqlite_database_that_cannot_be_opened_fails_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-directory" / "app.db"
    project = AlembicProject.create(
        tmp_path / "project",
        Database("sqlite", make_url(f"sqlite:///{missing}")),
        models=MODELS,
        options=OPTIONS,
    )
    result = project.alembic("upgrade", "head", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert f"FAILED: cannot connect to the sqlite database {missing}" in output
