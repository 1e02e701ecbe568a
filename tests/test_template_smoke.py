"""The ``lback`` template works end to end through the stock ``alembic`` command."""

from __future__ import annotations

from pathlib import Path

from tests.databases import Database
from tests.projects import AlembicProject

MODELS = """
    from sqlalchemy import String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Account(Base):
        __tablename__ = "account"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(50))
"""


def test_autogenerate_upgrade_and_check_are_clean(tmp_path: Path, database: Database) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        database,
        models=MODELS,
        options={"target_metadata": "app.models:Base.metadata"},
    )
    revision = project.autogenerate("create account")
    assert revision is not None
    assert "op.create_table(" in revision.read_text()
    project.alembic("upgrade", "head")
    assert "account" in database.table_names()
    assert "No new upgrade operations detected" in project.alembic("check").stdout
