"""``downgrade base`` then ``upgrade head`` works for what autogenerate writes, on every backend:
the shared models of the test suite (``tests/models.py``), and models whose tables carry indexes
a foreign key needs. (Each example under ``examples/`` is round-tripped by
``test_examples_check_clean.py``.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.databases import Database
from tests.models import (
    ACCOUNT_MODELS,
    ACCOUNTS_AND_POSTS,
    ITEM_WITH_DEFAULTS,
    TARGET_BASE_METADATA,
)
from tests.projects import AlembicProject

INDEXED_FOREIGN_KEY = """
    from sqlalchemy import ForeignKey, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Author(Base):
        __tablename__ = "author"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(50), index=True)

    class Book(Base):
        __tablename__ = "book"
        id: Mapped[int] = mapped_column(primary_key=True)
        author_id: Mapped[int] = mapped_column(ForeignKey("author.id"), index=True)
        title: Mapped[str] = mapped_column(String(100))
"""

TEST_MODELS = {
    "indexed_foreign_key": INDEXED_FOREIGN_KEY,
    "account": ACCOUNT_MODELS,
    "accounts_and_posts": ACCOUNTS_AND_POSTS,
    "item_with_defaults": ITEM_WITH_DEFAULTS,
}


def _round_trip(project: AlembicProject) -> None:
    assert project.autogenerate("first") is not None
    project.alembic("upgrade", "head")
    project.alembic("downgrade", "base")
    project.alembic("upgrade", "head")
    assert "No new upgrade operations detected" in project.alembic("check").stdout


@pytest.mark.parametrize("models", sorted(TEST_MODELS))
def test_first_revision_of_the_test_models_downgrades_to_base_and_upgrades_again(
    tmp_path: Path, database: Database, models: str
) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        database,
        models=TEST_MODELS[models],
        options=TARGET_BASE_METADATA,
    )
    _round_trip(project)


def test_dropping_a_table_leaves_its_indexes_to_the_drop(
    tmp_path: Path, database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        database,
        models=INDEXED_FOREIGN_KEY,
        options=TARGET_BASE_METADATA,
    )
    revision = project.autogenerate("first")
    assert revision is not None
    downgrade = revision.read_text().partition("def downgrade")[2]
    assert "drop_index" not in downgrade
    assert "drop_table" in downgrade
