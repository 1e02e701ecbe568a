"""One ``pyproject.toml`` per project: the nearest one to ``alembic.ini`` (its directory or the
closest above it). The environment, the ``lback_format`` and ``lback_lint`` hooks of one
revision, and the masking of passwords all read that file, wherever the command runs from.

The projects here keep ``alembic.ini`` in ``service/`` and ``pyproject.toml`` at the
repository root, as a monorepo does.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.databases import Database
from tests.models import ACCOUNT_MODELS, TARGET_BASE_METADATA, account_column
from tests.projects import AlembicProject, set_hooks

PASSWORD = "Very-s3cret-pa55word"
WITH_NICKNAME = account_column("nickname: Mapped[str | None] = mapped_column(String(50))")

ROOT_PYPROJECT = """
    [tool.lback-migrations]
    version_table = "service_version"

    [tool.lback-migrations.format]
    line-length = 40

    [tool.lback-migrations.lint]
    fail-on = "warning"
    ignore = ["LB403"]
"""


PRINTING_UPGRADE = """
    url = op.get_bind().engine.url.render_as_string(hide_password=False)
    print("connected to " + url)
    raise RuntimeError("cannot reach " + url)
"""


def service_project(
    repository: Path, database: Database, pyproject: str, *, models: bool = True
) -> AlembicProject:
    """A project whose alembic.ini is in ``repository/service``, and pyproject.toml above."""
    repository.mkdir(parents=True)
    (repository / "pyproject.toml").write_text(textwrap.dedent(pyproject))
    project = AlembicProject.create(
        repository / "service",
        database,
        models=WITH_NICKNAME if models else None,
        options=TARGET_BASE_METADATA if models else None,
    )
    set_hooks(project, {"format": {"type": "lback_format"}, "lint": {"type": "lback_lint"}})
    return project


def drop_nickname(project: AlembicProject) -> None:
    project.write_models(ACCOUNT_MODELS)


def server_url(database: Database, password: str) -> str:
    url = database.url
    return f"postgresql+psycopg://{url.username}:{password}@{url.host}:{url.port}/{url.database}"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mariadb"])
def test_the_environment_and_both_hooks_read_the_pyproject_toml_above_alembic_ini(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    database: Database = request.getfixturevalue(f"{backend}_database")
    project = service_project(tmp_path / "repository", database, ROOT_PYPROJECT)

    first = project.autogenerate("create account")
    project.alembic("upgrade", "head")
    drop_nickname(project)
    second = project.alembic("revision", "--autogenerate", "-m", "drop", check=False)

    assert first is not None
    assert "service_version" in database.table_names()  # the environment's table
    assert 'sa.Column("id", sa.Integer(), nullable=False)' not in first.read_text()  # 40 wide
    assert second.returncode != 0  # the lint hook's fail-on = "warning"
    assert "fail_on = warning" in second.stdout + second.stderr


def test_the_lint_command_reads_the_same_pyproject_toml_as_the_hooks(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = service_project(tmp_path / "repository", sqlite_database, ROOT_PYPROJECT)
    project.autogenerate("create account")
    project.alembic("upgrade", "head")
    drop_nickname(project)
    project.alembic("revision", "--autogenerate", "-m", "drop", check=False)

    done = project.lback("lint", check=False)

    assert done.returncode == 1, done.stdout + done.stderr


@pytest.mark.parametrize("spelling", ["url_env", "url-env"])
def test_migrate_run_from_the_repository_root_masks_the_url_env_of_pyproject_toml(
    tmp_path: Path, postgresql_database: Database, spelling: str
) -> None:
    repository = tmp_path / "repository"
    project = service_project(
        repository,
        postgresql_database,
        f'[tool.lback-migrations]\n{spelling} = "APP_DB"\n',
        models=False,
    )
    project.write_revision("0001", PRINTING_UPGRADE)
    events = tmp_path / "events.jsonl"
    app_db = {"APP_DB": server_url(postgresql_database, PASSWORD)}
    from_root = AlembicProject(root=repository, database=postgresql_database, environment=app_db)

    done = from_root.lback(
        "-c", "service/alembic.ini", "--events", str(events), "migrate", check=False
    )

    assert done.returncode != 0
    assert "connected to postgresql+psycopg://postgres:***@" in done.stdout + done.stderr
    for text in (done.stdout, done.stderr, events.read_text()):
        assert PASSWORD not in text
