"""LB103 on the revisions autogenerate really writes for renamed columns.

The models rename four columns without saying so, with ``lback.rename_detection = warn``: the
stock ``alembic revision --autogenerate`` keeps each drop + add, in batch mode on SQLite and as
plain operations elsewhere, and renders the dropped columns' types as the database reports them
in ``downgrade()``. The template's ``lback_lint`` hook must flag every pair as a possible rename.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.databases import Database
from tests.projects import AlembicProject

MODELS = """
    from sqlalchemy import String, Text
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Author(Base):
        __tablename__ = "author"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(50))
        active: Mapped[bool | None]
        score: Mapped[int]
        bio: Mapped[str | None] = mapped_column(Text())
        email: Mapped[str] = mapped_column(String(120))
"""
RENAMED = (
    MODELS.replace("name: Mapped[str]", "full_name: Mapped[str]")
    .replace("active:", "enabled:")
    .replace("score:", "points:")
    .replace("bio:", "about:")
    .replace(
        "email: Mapped[str] = mapped_column(String(120))",
        "phone: Mapped[str] = mapped_column(String(200))",
    )
)
RENAMES = {"name": "full_name", "active": "enabled", "score": "points", "bio": "about"}


def test_an_unstated_rename_written_by_autogenerate_is_reported_as_a_possible_rename(
    tmp_path: Path, database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        database,
        models=MODELS,
        options={"target_metadata": "app.models:Base.metadata", "rename_detection": "warn"},
    )
    assert project.autogenerate("author") is not None
    project.alembic("upgrade", "head")
    project.write_models(RENAMED)
    before = set(project.revision_files())

    result = project.alembic("revision", "--autogenerate", "-m", "rename", check=False)

    [written] = set(project.revision_files()) - before
    source = written.read_text()
    batch = database.backend == "sqlite"
    assert ("batch_op.drop_column(" in source) is batch
    assert "possible rename of author.name to author.full_name" in result.stderr
    reported = re.findall(
        rf"^{re.escape(str(written))}:\d+:\d+: LB103 possible rename: author\.(\w+) is dropped "
        r"and author\.(\w+) of the same type is added",
        result.stdout,
        re.MULTILINE,
    )
    # email (VARCHAR(120)) dropped and phone (VARCHAR(200)) added: not of the same type
    assert dict(reported) == RENAMES, result.stdout
    assert result.returncode != 0  # the template's hook fails on the dropped columns (LB102)
