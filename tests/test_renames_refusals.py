"""Every way a rename is refused: the data is never renamed away silently, and a rename that
names nothing stops autogenerate with one line and no revision.

These behaviours do not depend on the backend; they run on SQLite through the stock ``alembic``
command, with a real pseudo-terminal where a terminal matters.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lback_migrations.renames import ColumnRename, RenameError, TableRename, requested_renames
from tests.databases import Database
from tests.projects import AlembicProject
from tests.renames import (
    COLUMN_QUESTION,
    FOREIGN_KEY_QUESTION,
    TABLE_QUESTION,
    code,
    library_project,
    run_on_terminal,
    use_models,
    without_lint_hook,
)

AMBIGUOUS_MODELS = """
    from sqlalchemy import String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Author(Base):
        __tablename__ = "author"
        id: Mapped[int] = mapped_column(primary_key=True)
        {columns}
"""


def author_models(*columns: str) -> str:
    return AMBIGUOUS_MODELS.format(columns="\n        ".join(columns))


def new_revision(project: AlembicProject, before: set[Path]) -> str:
    """The one revision written since ``before``, as :func:`code`."""
    (revision,) = set(project.revision_files()) - before
    return code(revision.read_text())


def assert_drops_and_adds(text: str) -> None:
    assert "drop_column('name')" in text
    assert "add_column(sa.Column('full_name'" in text
    assert "new_column_name" not in text


def test_declined_question_keeps_drop_and_add(tmp_path: Path, sqlite_database: Database) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    use_models(project, "unstated")
    before = set(project.revision_files())

    run = run_on_terminal(
        project, "revision", "--autogenerate", "-m", "no", answers={"Did you rename": "n"}
    )

    assert run.questions == [TABLE_QUESTION, COLUMN_QUESTION, FOREIGN_KEY_QUESTION]
    text = new_revision(project, before)
    assert_drops_and_adds(text)
    assert "op.drop_table('book')" in text
    assert "rename_table" not in text
    assert "possible rename" not in run.transcript


def test_empty_answer_means_no(tmp_path: Path, sqlite_database: Database) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    use_models(project, "unstated")
    before = set(project.revision_files())

    run = run_on_terminal(project, "revision", "--autogenerate", "-m", "no", answers={})

    assert len(run.questions) == 3
    assert_drops_and_adds(new_revision(project, before))


def test_without_a_terminal_nothing_is_asked_and_each_candidate_is_warned_about(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    use_models(project, "unstated")
    before = set(project.revision_files())

    result = project.alembic("revision", "--autogenerate", "-m", "unattended", check=False)

    assert "Did you rename" not in result.stdout + result.stderr
    assert (
        "WARNING: possible rename of author.name to author.full_name (VARCHAR(50)): the "
        "revision drops and adds instead, which loses the data. If it is a rename, delete the "
        "revision file this run writes, then run again with -x rename=author.name:full_name or "
        'state it in the model with info={"renamed_from": "name"} and run again.'
    ) in result.stderr
    assert "possible rename of table book to publication" in result.stderr
    assert "-x rename=book:publication" in result.stderr
    assert "possible rename of review.author_id to review.reviewer_id (INTEGER)" in result.stderr
    assert_drops_and_adds(new_revision(project, before))


def test_following_the_possible_rename_warning_renames_on_the_rerun(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    use_models(project, "unstated")
    before = set(project.revision_files())
    result = project.alembic("revision", "--autogenerate", "-m", "unattended", check=False)
    assert "delete the revision file this run writes, then run again" in result.stderr
    (written,) = set(project.revision_files()) - before

    written.unlink()
    project.alembic(
        "-x",
        "rename=author.name:full_name,book:publication,review.author_id:reviewer_id",
        "revision",
        "--autogenerate",
        "-m",
        "renames",
    )

    text = new_revision(project, before)
    assert "new_column_name='full_name'" in text
    assert "rename_table('book','publication')" in text


def test_noinput_argument_does_not_ask_on_a_terminal(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    use_models(project, "unstated")
    before = set(project.revision_files())

    run = run_on_terminal(
        project,
        "-x",
        "noinput=true",
        "revision",
        "--autogenerate",
        "-m",
        "ci",
        answers={"Did you rename": "y"},
    )

    assert run.questions == []
    assert "possible rename of author.name to author.full_name" in run.transcript
    assert_drops_and_adds(new_revision(project, before))


def test_warn_mode_does_not_ask_on_a_terminal(tmp_path: Path, sqlite_database: Database) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    project.set_main_option("lback.rename_detection", "warn")
    use_models(project, "unstated")

    run = run_on_terminal(project, "revision", "--autogenerate", "-m", "w", answers={})

    assert run.questions == []
    assert "possible rename of author.name to author.full_name" in run.transcript


def test_off_mode_neither_asks_nor_warns(tmp_path: Path, sqlite_database: Database) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    project.set_main_option("lback.rename_detection", "off")
    use_models(project, "unstated")
    before = set(project.revision_files())

    run = run_on_terminal(project, "revision", "--autogenerate", "-m", "off", answers={})

    assert run.questions == []
    assert "possible rename" not in run.transcript
    assert_drops_and_adds(new_revision(project, before))


def test_kept_drop_and_add_fails_the_lint_hook(tmp_path: Path, sqlite_database: Database) -> None:
    project = library_project(tmp_path / "project", sqlite_database, lint=True)
    project.set_main_option("lback.batch_mode", "never")
    use_models(project, "unstated")
    before = set(project.revision_files())

    result = project.alembic("revision", "--autogenerate", "-m", "kept", check=False)

    assert result.returncode != 0
    assert "op.drop_column('author', 'name') in upgrade() deletes the column's data" in (
        result.stdout + result.stderr
    )
    assert "op.drop_column('author','name')" in new_revision(project, before)


def test_stated_renames_are_made_even_when_detection_is_off(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    project.set_main_option("lback.rename_detection", "off")
    use_models(project, "renamed")
    before = set(project.revision_files())

    project.alembic("revision", "--autogenerate", "-m", "stated")

    assert "new_column_name='full_name'" in new_revision(project, before)


def test_two_added_columns_of_the_dropped_type_ask_nothing_and_warn(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        sqlite_database,
        models=author_models("name: Mapped[str] = mapped_column(String(50))"),
        options={"target_metadata": "app.models:Base.metadata"},
    )
    without_lint_hook(project)
    project.autogenerate("author")
    project.alembic("upgrade", "head")
    project.write_models(
        author_models(
            "full_name: Mapped[str] = mapped_column(String(50))",
            "nickname: Mapped[str] = mapped_column(String(50))",
        )
    )
    before = set(project.revision_files())

    run = run_on_terminal(
        project, "revision", "--autogenerate", "-m", "two", answers={"Did you rename": "y"}
    )

    assert run.questions == []
    assert (
        "author.name may have been renamed to author.full_name or author.nickname "
        "(all VARCHAR(50), same nullability); not asking"
    ) in " ".join(run.transcript.split())
    text = new_revision(project, before)
    assert "drop_column('name')" in text
    assert "add_column(sa.Column('full_name'" in text
    assert "add_column(sa.Column('nickname'" in text


def test_one_candidate_of_another_type_or_nullability_is_no_candidate(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        sqlite_database,
        models=author_models("name: Mapped[str] = mapped_column(String(50))"),
        options={"target_metadata": "app.models:Base.metadata"},
    )
    without_lint_hook(project)
    project.autogenerate("author")
    project.alembic("upgrade", "head")
    project.write_models(
        author_models(
            "full_name: Mapped[str] = mapped_column(String(80))",
            "nickname: Mapped[str | None] = mapped_column(String(50))",
        )
    )

    run = run_on_terminal(project, "revision", "--autogenerate", "-m", "x", answers={})

    assert run.questions == []
    assert "Did you rename" not in run.transcript
    assert "possible rename" not in run.transcript


def test_column_hint_naming_no_column_fails_in_one_line_without_revision(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    use_models(project, "renamed")
    models = project.root / "app" / "models.py"
    models.write_text(models.read_text().replace('"renamed_from": "name"', '"renamed_from": "nme"'))
    before = set(project.revision_files())

    result = project.alembic("revision", "--autogenerate", "-m", "typo", check=False)

    assert result.returncode != 0
    assert (
        "FAILED: column author.full_name: info[\"renamed_from\"]='nme': the database has no "
        "column author.nme; fix the old name or remove the hint"
    ) in result.stdout + result.stderr
    assert set(project.revision_files()) == before


def test_table_hint_naming_no_table_fails_in_one_line_without_revision(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    use_models(project, "renamed")
    models = project.root / "app" / "models.py"
    models.write_text(models.read_text().replace('"renamed_from": "book"', '"renamed_from": "bok"'))
    before = set(project.revision_files())

    result = project.alembic("revision", "--autogenerate", "-m", "typo", check=False)

    assert result.returncode != 0
    assert (
        "FAILED: table publication: info[\"renamed_from\"]='bok': the database has no table bok "
        "to rename; fix the old name or remove the hint"
    ) in result.stdout + result.stderr
    assert set(project.revision_files()) == before


def test_hint_naming_a_column_the_model_still_defines_fails(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        sqlite_database,
        models=author_models("name: Mapped[str] = mapped_column(String(50))"),
        options={"target_metadata": "app.models:Base.metadata"},
    )
    without_lint_hook(project)
    project.autogenerate("author")
    project.alembic("upgrade", "head")
    project.write_models(
        author_models(
            "name: Mapped[str] = mapped_column(String(50))",
            'full_name: Mapped[str] = mapped_column(String(50), info={"renamed_from": "name"})',
        )
    )

    result = project.alembic("revision", "--autogenerate", "-m", "both", check=False)

    assert result.returncode != 0
    assert "the model still defines column author.name" in result.stdout + result.stderr


def test_rename_argument_naming_nothing_fails_without_revision(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    use_models(project, "unstated")
    before = set(project.revision_files())

    result = project.alembic(
        "-x", "rename=author.name:fullname", "revision", "--autogenerate", "-m", "x", check=False
    )

    assert result.returncode != 0
    assert (
        "FAILED: -x rename=author.name:fullname: the revision does not add column "
        "author.fullname; check the new name against the model"
    ) in result.stdout + result.stderr
    assert set(project.revision_files()) == before


def test_check_keeps_failing_while_a_stated_rename_is_not_applied(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = library_project(tmp_path / "project", sqlite_database)
    use_models(project, "renamed")

    result = project.alembic("check", check=False)

    assert result.returncode != 0
    assert "New upgrade operations detected" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("rename=user.name:full_name", [ColumnRename(None, "user", "name", "full_name")]),
        ("rename=user.name=full_name", [ColumnRename(None, "user", "name", "full_name")]),
        ("rename=account:user", [TableRename(None, "account", "user")]),
        ("rename=audit.event:log", [TableRename("audit", "event", "log")]),
        (
            "rename=audit.event.at:happened_at",
            [ColumnRename("audit", "event", "at", "happened_at")],
        ),
        (
            "rename=a.b:c,d:e",
            [ColumnRename(None, "a", "b", "c"), TableRename(None, "d", "e")],
        ),
        ("allow_empty=true", []),
    ],
)
def test_rename_arguments_parse(argument: str, expected: list[object]) -> None:
    parsed = requested_renames([argument], schemas=["audit"])

    assert [(type(r), str(r)) for r in parsed] == [(type(r), str(r)) for r in expected]


@pytest.mark.parametrize(
    "argument", ["rename=user.name", "rename=:x", "rename=a.b:c.d", "rename=a..b:c"]
)
def test_malformed_rename_argument_is_an_error_naming_it(argument: str) -> None:
    with pytest.raises(RenameError, match=f"-x {argument}: write table.column:new_name"):
        requested_renames([argument])
