"""Renames end to end: stated in the models, accepted on a terminal, or accepted with ``-x``,
a rename keeps the data through ``upgrade head`` and ``downgrade -1`` on every backend.

Everything runs through the stock ``alembic`` command on a copy of ``examples/renames``. The
terminal is a real pseudo-terminal (:func:`tests.renames.run_on_terminal`), not a mock of ``input``.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import sqlalchemy as sa

from tests.databases import Database
from tests.projects import AlembicProject
from tests.renames import (
    COLUMN_QUESTION,
    FOREIGN_KEY_QUESTION,
    TABLE_QUESTION,
    code,
    library_project,
    rows,
    run_on_terminal,
    use_models,
    without_lint_hook,
)


def assert_renamed_revision(revision: Path) -> None:
    """The revision renames, in both directions, and neither drops nor re-creates anything."""
    text = code(revision.read_text())
    upgrade, downgrade = text.split("defdowngrade")
    assert "rename_table('book','publication')" in upgrade
    assert re.search(r"alter_column\(('author',)?'name',", upgrade)
    assert "new_column_name='full_name'" in upgrade
    assert "new_column_name='reviewer_id'" in upgrade
    assert "rename_table('publication','book')" in downgrade
    assert "new_column_name='name'" in downgrade
    assert "new_column_name='author_id'" in downgrade
    for destructive in (
        "drop_column",
        "add_column",
        "drop_table",
        "create_table",
        "drop_index",
        "create_index",
        "drop_constraint",
        "create_foreign_key",
        "create_unique_constraint",
    ):
        assert destructive not in text, destructive


def assert_data_survives_upgrade_and_downgrade(project: AlembicProject, database: Database) -> None:
    project.alembic("upgrade", "head")
    assert rows(database, "SELECT id, full_name FROM author") == [(1, "Ann Smith")]
    assert rows(database, "SELECT id, title, author_id FROM publication") == [(10, "Tides", 1)]
    assert rows(database, "SELECT id, reviewer_id, body FROM review") == [(20, 1, "Moving")]
    assert "book" not in database.table_names()
    assert "No new upgrade operations detected" in project.alembic("check").stdout

    project.alembic("downgrade", "-1")
    assert rows(database, "SELECT id, name FROM author") == [(1, "Ann Smith")]
    assert rows(database, "SELECT id, title, author_id FROM book") == [(10, "Tides", 1)]
    assert rows(database, "SELECT id, author_id, body FROM review") == [(20, 1, "Moving")]
    assert "publication" not in database.table_names()


def test_stated_renames_keep_the_data_through_upgrade_and_downgrade(
    tmp_path: Path, database: Database
) -> None:
    project = library_project(tmp_path / "project", database)
    use_models(project, "renamed")

    revision = project.autogenerate("renames")

    assert revision is not None
    assert_renamed_revision(revision)
    assert_data_survives_upgrade_and_downgrade(project, database)


def test_stated_renames_are_harmless_once_applied(tmp_path: Path, database: Database) -> None:
    project = library_project(tmp_path / "project", database)
    use_models(project, "renamed")
    assert project.autogenerate("renames") is not None
    project.alembic("upgrade", "head")

    assert "No new upgrade operations detected" in project.alembic("check").stdout
    assert project.autogenerate("nothing") is None


def test_accepted_questions_rename_on_a_terminal(tmp_path: Path, database: Database) -> None:
    project = library_project(tmp_path / "project", database)
    use_models(project, "unstated")
    before = set(project.revision_files())

    run = run_on_terminal(
        project,
        "revision",
        "--autogenerate",
        "-m",
        "renames",
        answers={"Did you rename": "y"},
    )

    assert run.returncode == 0, run.transcript
    assert run.questions == [TABLE_QUESTION, COLUMN_QUESTION, FOREIGN_KEY_QUESTION]
    (revision,) = set(project.revision_files()) - before
    assert_renamed_revision(revision)
    assert_data_survives_upgrade_and_downgrade(project, database)


def test_rename_argument_accepts_candidates_without_a_terminal(
    tmp_path: Path, database: Database
) -> None:
    project = library_project(tmp_path / "project", database)
    use_models(project, "unstated")
    before = set(project.revision_files())

    result = project.alembic(
        "-x",
        "rename=author.name:full_name,book:publication",
        "-x",
        "rename=review.author_id:reviewer_id",
        "revision",
        "--autogenerate",
        "-m",
        "renames",
    )

    assert "possible rename" not in result.stderr
    (revision,) = set(project.revision_files()) - before
    assert_renamed_revision(revision)
    assert_data_survives_upgrade_and_downgrade(project, database)


def test_makemigrations_asks_on_a_terminal(tmp_path: Path, sqlite_database: Database) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    use_models(project, "unstated")
    before = set(project.revision_files())

    run = run_on_terminal(
        project,
        "makemigrations",
        "-m",
        "renames",
        answers={"Did you rename": "y"},
        program="lback-migrations",
    )

    assert run.returncode == 0, run.transcript
    assert run.questions == [TABLE_QUESTION, COLUMN_QUESTION, FOREIGN_KEY_QUESTION]
    (revision,) = set(project.revision_files()) - before
    assert_renamed_revision(revision)


def test_makemigrations_rename_options_accept_candidates_without_a_terminal(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    use_models(project, "unstated")
    before = set(project.revision_files())

    result = project.lback(
        "makemigrations",
        "-m",
        "renames",
        "--rename",
        "author.name=full_name",
        "--rename",
        "book=publication",
        "--rename",
        "review.author_id=reviewer_id",
    )

    assert "possible rename" not in result.stderr
    (revision,) = set(project.revision_files()) - before
    assert_renamed_revision(revision)
    assert_data_survives_upgrade_and_downgrade(project, sqlite_database)


def test_makemigrations_noinput_warns_instead_of_asking_on_a_terminal(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    use_models(project, "unstated")

    run = run_on_terminal(
        project,
        "makemigrations",
        "-m",
        "unattended",
        "--noinput",
        answers={"Did you rename": "y"},
        program="lback-migrations",
    )

    assert run.questions == []
    assert "possible rename of author.name to author.full_name (VARCHAR(50))" in run.transcript


def test_migration_commands_makemigrations_passes_renames_through(
    tmp_path: Path, sqlite_database: Database
) -> None:
    from lback_migrations.commands import MigrationCommands

    project = library_project(tmp_path / "project", sqlite_database)
    use_models(project, "unstated")
    before = set(project.revision_files())
    commands = MigrationCommands(directory=project.root, echo=False)

    result = commands.makemigrations(
        "renames",
        renames=["author.name=full_name", "book=publication", "review.author_id=reviewer_id"],
        noinput=True,
    )

    assert result.success, result.stdout + result.stderr
    assert commands.x_arguments == ()
    (revision,) = set(project.revision_files()) - before
    assert_renamed_revision(revision)


AUTHOR_MODELS = """
    from sqlalchemy import String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Author(Base):
        __tablename__ = {table!r}
        __table_args__ = {table_args}
        id: Mapped[int] = mapped_column(primary_key=True)
        {columns}
"""


def author_project(root: Path, database: Database, column: str) -> AlembicProject:
    """A one-table project (``author`` with ``column``), migrated, with one row."""
    project = AlembicProject.create(
        root,
        database,
        models=textwrap.dedent(AUTHOR_MODELS).format(
            table="author", table_args="()", columns=column
        ),
        options={"target_metadata": "app.models:Base.metadata"},
    )
    without_lint_hook(project)
    assert project.autogenerate("author") is not None
    project.alembic("upgrade", "head")
    with database.connect() as connection:
        connection.execute(sa.text("INSERT INTO author (id, name) VALUES (1, 'Ann Smith')"))
    return project


def test_stated_rename_changes_the_type_in_the_same_step(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = author_project(
        tmp_path / "project", sqlite_database, "name: Mapped[str] = mapped_column(String(50))"
    )
    project.write_models(
        AUTHOR_MODELS.format(
            table="author",
            table_args="()",
            columns="full_name: Mapped[str | None] = "
            'mapped_column(String(80), info={"renamed_from": "name"})',
        )
    )

    revision = project.autogenerate("wider")

    assert revision is not None
    upgrade, downgrade = code(revision.read_text()).split("defdowngrade")
    assert "new_column_name='full_name',type_=sa.String(length=80),nullable=True" in upgrade
    assert "new_column_name='name',type_=sa.VARCHAR(length=50),nullable=False" in downgrade
    project.alembic("upgrade", "head")
    assert rows(sqlite_database, "SELECT full_name FROM author") == [("Ann Smith",)]
    assert "No new upgrade operations detected" in project.alembic("check").stdout


def test_table_rename_makes_its_column_changes_in_the_same_revision(
    tmp_path: Path, database: Database
) -> None:
    project = author_project(
        tmp_path / "project", database, "name: Mapped[str] = mapped_column(String(50))"
    )
    project.write_models(
        AUTHOR_MODELS.format(
            table="writer",
            table_args='{"info": {"renamed_from": "author"}}',
            columns="name: Mapped[str] = mapped_column(String(50))\n"
            "        pen_name: Mapped[str | None] = mapped_column(String(50))",
        )
    )

    revision = project.autogenerate("writer")

    assert revision is not None
    upgrade = code(revision.read_text()).split("defdowngrade")[0]
    assert upgrade.index("op.rename_table('author','writer')") < upgrade.index("'pen_name'")
    project.alembic("upgrade", "head")
    assert rows(database, "SELECT id, name, pen_name FROM writer") == [(1, "Ann Smith", None)]
    assert "No new upgrade operations detected" in project.alembic("check").stdout
    project.alembic("downgrade", "-1")
    assert rows(database, "SELECT id, name FROM author") == [(1, "Ann Smith")]


def test_index_named_after_the_old_column_is_renamed_by_drop_and_create(
    tmp_path: Path, database: Database
) -> None:
    project = author_project(
        tmp_path / "project",
        database,
        "name: Mapped[str] = mapped_column(String(50), index=True)",
    )
    project.write_models(
        AUTHOR_MODELS.format(
            table="author",
            table_args="()",
            columns="full_name: Mapped[str] = "
            'mapped_column(String(50), index=True, info={"renamed_from": "name"})',
        )
    )

    revision = project.autogenerate("renamed")

    assert revision is not None
    upgrade, downgrade = code(revision.read_text()).split("defdowngrade")
    assert upgrade.index("drop_index(") < upgrade.index("new_column_name='full_name'")
    assert upgrade.index("new_column_name='full_name'") < upgrade.index("create_index(")
    assert "op.f('ix_author_full_name')" in upgrade
    assert downgrade.index("new_column_name='name'") < downgrade.index("create_index(")
    project.alembic("upgrade", "head")
    assert "No new upgrade operations detected" in project.alembic("check").stdout
    project.alembic("downgrade", "-1")
    assert rows(database, "SELECT id, name FROM author") == [(1, "Ann Smith")]


def test_table_and_column_renames_stated_together_come_out_as_one_revision(
    tmp_path: Path, database: Database
) -> None:
    project = author_project(
        tmp_path / "project", database, "name: Mapped[str] = mapped_column(String(50))"
    )
    project.write_models(
        AUTHOR_MODELS.format(
            table="writer",
            table_args='{"info": {"renamed_from": "author"}}',
            columns="full_name: Mapped[str] = "
            'mapped_column(String(50), info={"renamed_from": "name"})',
        )
    )

    revision = project.autogenerate("writer")
    project.alembic("upgrade", "head")

    assert revision is not None
    upgrade, downgrade = code(revision.read_text()).split("defdowngrade")
    assert upgrade.index("op.rename_table('author','writer')") < upgrade.index(
        "new_column_name='full_name'"
    )
    assert "drop_column" not in upgrade
    assert downgrade.index("new_column_name='name'") < downgrade.index(
        "op.rename_table('writer','author')"
    )
    assert rows(database, "SELECT id, full_name FROM writer") == [(1, "Ann Smith")]
    assert "No new upgrade operations detected" in project.alembic("check").stdout
    project.alembic("downgrade", "-1")
    assert rows(database, "SELECT id, name FROM author") == [(1, "Ann Smith")]


def test_hints_left_in_the_models_are_ignored_on_a_new_empty_database(
    tmp_path: Path, database: Database
) -> None:
    project = AlembicProject.create(tmp_path / "project", database, example="renames")
    without_lint_hook(project)
    use_models(project, "renamed")

    revision = project.autogenerate("library from scratch")

    assert revision is not None
    text = code(revision.read_text())
    assert "create_table('publication'" in text
    assert "rename_table" not in text
    assert "new_column_name" not in text
    project.alembic("upgrade", "head")
    assert "No new upgrade operations detected" in project.alembic("check").stdout


def test_check_on_a_new_empty_database_reports_the_tables_not_the_hints(
    tmp_path: Path, database: Database
) -> None:
    project = AlembicProject.create(tmp_path / "project", database, example="renames")
    use_models(project, "renamed")

    result = project.alembic("check", check=False)

    assert result.returncode != 0
    assert "New upgrade operations detected" in result.stdout + result.stderr
    assert "renamed_from" not in result.stdout + result.stderr
