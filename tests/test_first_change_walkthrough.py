"""The walk-through of docs/first-change.rst, run as written: a new column the linter refuses,
a naming convention that names the constraint, a suppression with its reason."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from tests.databases import Database
from tests.projects import REPOSITORY, AlembicProject

AUTHOR = """
    from sqlalchemy import String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Author(Base):
        __tablename__ = "author"

        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(80))
"""
EMAIL = "    email: Mapped[str] = mapped_column(String(255), unique=True)\n"
CONVENTION = """
class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
"""
REASON = "# author is empty in every deployment: no release has created an author yet"


def _makemigrations(project: AlembicProject) -> tuple[int, str, Path]:
    result = project.lback("makemigrations", "-m", "author email", check=False)
    (revision,) = project.versions.glob("*_author_email.py")
    return result.returncode, result.stdout + result.stderr, revision


def test_the_first_change_walkthrough_runs_as_the_docs_say(
    tmp_path: Path, sqlite_database: Database
) -> None:
    page = (REPOSITORY / "docs" / "first-change.rst").read_text()
    project = AlembicProject.create(tmp_path / "project", sqlite_database, models=AUTHOR)
    (project.root / "pyproject.toml").write_text(
        '[tool.lback-migrations]\ntarget_metadata = "app.models:Base.metadata"\n'
    )
    project.lback("makemigrations", "-m", "create author")
    project.lback("migrate")
    models = project.root / "app" / "models.py"

    # 1. the new column: LB201 and LB401, the command fails, the file is kept
    models.write_text(models.read_text() + EMAIL)
    code, output, revision = _makemigrations(project)
    assert code != 0
    assert " LB201 add_column adds NOT NULL column 'email'" in output
    assert " LB401 unnamed unique_constraint" in output
    assert "the revision file is kept" in output

    # 2. a naming convention, told to the linter: LB401 is gone, LB201 stays
    assert CONVENTION.strip().splitlines()[1].strip() in page
    text = models.read_text().replace("import String", "import MetaData, String")
    models.write_text(text.replace("\nclass Base(DeclarativeBase):\n    pass\n", CONVENTION))
    with (project.root / "pyproject.toml").open("a") as pyproject:
        pyproject.write("\n[tool.lback-migrations.lint]\nnaming_convention = true\n")
    revision.unlink()
    code, output, revision = _makemigrations(project)
    assert code != 0
    assert "LB401" not in output
    assert " LB201 " in output
    assert 'batch_op.f("uq_author_email")' in revision.read_text()

    # 3. the suppression with its reason, then format and lint
    source = revision.read_text()
    statement = re.search(r"^( +)(batch_op\.add_column\(.*\))$", source, re.MULTILINE)
    assert statement is not None
    indent, call = statement.groups()
    revision.write_text(
        source.replace(
            statement.group(0), f"{indent}{REASON}\n{indent}{call}  # lback: ignore[LB201]"
        )
    )
    project.lback("format", "migrations/versions")
    formatted = revision.read_text()
    shown = textwrap.dedent(
        page.split("on the line it points at, and say why beside it:")[1]
        .split(".. code-block:: python")[1]
        .split("A suppression comment")[0]
    ).strip()
    assert textwrap.indent(shown, indent) in formatted
    lint = project.lback("lint", "migrations/versions", check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "LB201" not in lint.stdout

    # 4. apply and check
    project.lback("migrate")
    assert "No new upgrade operations detected." in project.lback("check").stdout
