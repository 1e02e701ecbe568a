"""Every example is clean for ``alembic check`` right after ``upgrade head``, and again after
``downgrade base`` and ``upgrade head``, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.databases import Database
from tests.projects import EXAMPLES, AlembicProject


def _text(path: Path) -> str:
    return path.read_text() if path.exists() else ""


# The model scenarios, whose first revision the test autogenerates; examples/verify ships its
# own history (its test runs it) and examples/lint_rule_package is a lint rule package.
EXAMPLE_NAMES = sorted(
    path.name
    for path in EXAMPLES.iterdir()
    if "target_metadata" in _text(path / "pyproject.toml") and not (path / "migrations").exists()
)


def assert_check_is_clean(project: AlembicProject) -> None:
    done = project.alembic("check", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No new upgrade operations detected" in done.stdout


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_example_is_clean_after_upgrade_and_after_downgrade_and_upgrade(
    tmp_path: Path, database: Database, example: str
) -> None:
    project = AlembicProject.create(tmp_path / example, database, example=example)
    assert project.autogenerate("initial") is not None
    project.alembic("upgrade", "head")
    assert_check_is_clean(project)
    project.alembic("downgrade", "base")
    project.alembic("upgrade", "head")
    assert_check_is_clean(project)
