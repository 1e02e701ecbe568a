"""The server release the version-dependent rules judge by: ``--server-version``, the hook's
option, ``[tool.lback-migrations.lint] server_version``, else the configured database's, else
the oldest supported release."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic.config import Config

from lback_migrations.lint.config import OLDEST_SUPPORTED
from lback_migrations.lint.context import lint_options
from tests.databases import Database
from tests.projects import AlembicProject
from tests.revision_files import write_revision

CONSTANT_DEFAULT = """
    def upgrade() -> None:
        op.add_column("account", sa.Column("active", sa.Boolean(), nullable=False,
                                           server_default=sa.true()))


    def downgrade() -> None:
        op.drop_column("account", "active")
"""


@pytest.fixture
def project(tmp_path: Path, postgresql_database: Database) -> AlembicProject:
    created = AlembicProject.create(tmp_path / "project", postgresql_database)
    write_revision(created, "a1", None, CONSTANT_DEFAULT)
    return created


def lint_codes(project: AlembicProject, *arguments: str) -> set[str]:
    result = project.lback("lint", "--no-cache", "--ignore", "LB211", *arguments, check=False)
    return set(re.findall(r": (LB\d{3}) ", result.stdout))


def test_a_constant_default_passes_on_postgresql_11_and_later(project: AlembicProject) -> None:
    assert "LB209" not in lint_codes(project)


def test_the_command_line_server_version_is_what_rules_judge_by(project: AlembicProject) -> None:
    assert "LB209" in lint_codes(project, "--server-version", "10.23")


def test_the_pyproject_server_version_is_what_rules_judge_by(project: AlembicProject) -> None:
    (project.root / "pyproject.toml").write_text(
        '[tool.lback-migrations.lint]\nserver_version = "10"\n'
    )
    assert "LB209" in lint_codes(project)


def test_the_hook_server_version_is_what_rules_judge_by(project: AlembicProject) -> None:
    ini = project.ini_path.read_text()
    hook = "lback_lint.type = lback_lint\n"
    project.ini_path.write_text(ini.replace(hook, hook + "lback_lint.server_version = 10\n"))
    assert "LB209" in lint_codes(project)


def test_a_malformed_server_version_names_the_option(project: AlembicProject) -> None:
    result = project.lback("lint", "--server-version", "fifteen", check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("error: --server-version: 'fifteen' is not a server release")


@pytest.mark.parametrize(
    ("fixture", "major"), [("postgresql_database", (15,)), ("mariadb_database", (10,))]
)
def test_without_an_option_the_release_is_read_from_the_database(
    tmp_path: Path, fixture: str, major: tuple[int], request: pytest.FixtureRequest
) -> None:
    database: Database = request.getfixturevalue(fixture)
    project = AlembicProject.create(tmp_path / "project", database)
    options = lint_options(Config(str(project.ini_path)))
    assert options.server_version is not None
    assert options.server_version[:1] == major


def test_an_unreachable_database_leaves_the_oldest_supported_release(tmp_path: Path) -> None:
    config = Config()
    config.set_main_option("sqlalchemy.url", "postgresql+psycopg://nobody:secret@127.0.0.1:1/x")
    options = lint_options(config)
    assert options.server_version is None
    assert options.release == OLDEST_SUPPORTED["postgresql"]
