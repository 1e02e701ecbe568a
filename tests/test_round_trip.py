"""Server defaults and column types round-trip through the stock ``alembic`` command: nothing
spurious after ``upgrade head``, and every real change still reported."""

from __future__ import annotations

import re
from pathlib import Path

from tests.databases import Database
from tests.models import ITEM_WITH_CHANGED_DEFAULTS, ITEM_WITH_DEFAULTS
from tests.projects import AlembicProject

EXAMPLE = "defaults_and_types"

_OPERATION = re.compile(r"\('(modify_type|modify_default)', None, '(\w+)', '(\w+)'")


def reported_operations(output: str) -> set[tuple[str, str]]:
    """``(operation, column)`` pairs that ``alembic check`` printed."""
    return {(kind, column) for kind, _table, column in _OPERATION.findall(output)}


def created_project(root: Path, database: Database, **options: str) -> AlembicProject:
    project = AlembicProject.create(root, database, example=EXAMPLE, options=options)
    assert project.autogenerate("create product") is not None
    project.alembic("upgrade", "head")
    return project


def test_example_is_clean_right_after_upgrade(tmp_path: Path, database: Database) -> None:
    project = created_project(tmp_path / "project", database)
    result = project.alembic("check", check=False)
    assert result.returncode == 0, result.stderr
    assert "No new upgrade operations detected" in result.stdout


def test_second_autogenerate_writes_no_revision(tmp_path: Path, database: Database) -> None:
    project = created_project(tmp_path / "project", database)
    assert project.autogenerate("nothing changed") is None


def test_without_type_rules_the_example_shows_false_type_changes(
    tmp_path: Path, database: Database
) -> None:
    project = created_project(tmp_path / "project", database, type_rules="")
    result = project.alembic("check", check=False)
    assert result.returncode != 0
    expected = {
        "sqlite": {("modify_type", "checksum")},
        "postgresql": {("modify_type", "rating")},
        "mariadb": {("modify_type", "weight"), ("modify_type", "title")},
    }[database.backend]
    assert reported_operations(result.stdout + result.stderr) == expected


def test_real_changes_are_reported(tmp_path: Path, database: Database) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        database,
        models=ITEM_WITH_DEFAULTS,
        options={"target_metadata": "app.models:Base.metadata"},
    )
    project.autogenerate("create item")
    project.alembic("upgrade", "head")
    assert project.alembic("check", check=False).returncode == 0
    project.write_models(ITEM_WITH_CHANGED_DEFAULTS)
    result = project.alembic("check", check=False)
    assert result.returncode != 0
    assert reported_operations(result.stdout + result.stderr) == {
        ("modify_type", "name"),
        ("modify_default", "code"),
        ("modify_type", "quantity"),
        ("modify_default", "active"),
    }


def test_real_changes_upgrade_to_a_clean_state(tmp_path: Path, database: Database) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        database,
        models=ITEM_WITH_DEFAULTS,
        options={"target_metadata": "app.models:Base.metadata"},
    )
    project.autogenerate("create item")
    project.alembic("upgrade", "head")
    project.write_models(ITEM_WITH_CHANGED_DEFAULTS)
    assert project.autogenerate("change item") is not None
    project.alembic("upgrade", "head")
    result = project.alembic("check", check=False)
    assert result.returncode == 0, result.stderr
