"""The ``lback`` template works end to end through the stock ``alembic`` command."""

from __future__ import annotations

from pathlib import Path

from tests.databases import Database
from tests.models import ACCOUNT_MODELS
from tests.projects import AlembicProject


def test_autogenerate_upgrade_and_check_are_clean(tmp_path: Path, database: Database) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        database,
        models=ACCOUNT_MODELS,
        options={"target_metadata": "app.models:Base.metadata"},
    )
    revision = project.autogenerate("create account")
    assert revision is not None
    assert "op.create_table(" in revision.read_text()
    project.alembic("upgrade", "head")
    assert "account" in database.table_names()
    assert "No new upgrade operations detected" in project.alembic("check").stdout
