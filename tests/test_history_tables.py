"""Tables the project's own history created and the models no longer define are reported;
other applications' tables stay hidden, and are listed once as ignored."""

from __future__ import annotations

import textwrap
from pathlib import Path

import sqlalchemy as sa

from lback_migrations.history_tables import history_tables
from tests.databases import Database
from tests.projects import AlembicProject

OPTIONS = {"target_metadata": "app.models:metadata"}

TWO_TABLES = """
    import sqlalchemy as sa

    metadata = sa.MetaData()
    account = sa.Table("account", metadata, sa.Column("id", sa.Integer, primary_key=True))
    invoice = sa.Table("invoice", metadata, sa.Column("id", sa.Integer, primary_key=True))
"""

ONE_TABLE = """
    import sqlalchemy as sa

    metadata = sa.MetaData()
    account = sa.Table("account", metadata, sa.Column("id", sa.Integer, primary_key=True))
"""


def revision(
    directory: Path, identifier: str, parent: str | tuple[str, ...] | None, upgrade: str
) -> Path:
    """Write a revision file whose ``upgrade()`` body is ``upgrade``."""
    body = textwrap.indent(textwrap.dedent(upgrade).strip(), "    ")
    path = directory / f"{identifier}_step.py"
    path.write_text(
        f"from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = {identifier!r}\ndown_revision = {parent!r}\n\n\n"
        f"def upgrade():\n{body}\n\n\ndef downgrade():\n    op.drop_table('never_read')\n"
    )
    return path


def test_history_tables_replays_creates_drops_and_renames_in_revision_order(
    tmp_path: Path,
) -> None:
    files = [
        revision(tmp_path, "c3", "b2", "op.rename_table('draft', 'final')\nop.drop_table('old')"),
        revision(tmp_path, "a1", None, "op.create_table('old', sa.Column('id', sa.Integer))"),
        revision(
            tmp_path,
            "b2",
            "a1",
            "op.create_table('draft')\nop.create_table('event', schema='audit')",
        ),
    ]
    assert history_tables(files) == {"final", "audit.event"}


def test_history_tables_follows_a_table_dropped_and_created_again(tmp_path: Path) -> None:
    files = [
        revision(tmp_path, "a1", None, "op.create_table('log')"),
        revision(tmp_path, "b2", "a1", "op.drop_table('log')"),
        revision(tmp_path, "c3", "b2", "op.create_table(table_name='log')"),
    ]
    assert history_tables(files) == {"log"}


def test_history_tables_reads_merge_revisions_after_both_parents(tmp_path: Path) -> None:
    files = [
        revision(tmp_path, "m3", ("a1", "b2"), "op.drop_table('left')"),
        revision(tmp_path, "a1", None, "op.create_table('left')"),
        revision(tmp_path, "b2", None, "op.create_table('right')"),
    ]
    assert history_tables(files) == {"right"}


def test_history_tables_skips_files_it_cannot_parse(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("revision = 'x'\ndef upgrade(:\n")
    files = [broken, revision(tmp_path, "a1", None, "op.create_table('kept')")]
    assert history_tables(files) == {"kept"}


def project_at_head(root: Path, database: Database) -> AlembicProject:
    """A project whose history created ``account`` and ``invoice``, upgraded to the head,
    beside a table of another application."""
    project = AlembicProject.create(root, database, models=TWO_TABLES, options=OPTIONS)
    project.autogenerate("create tables")
    project.alembic("upgrade", "head")
    with database.connect() as connection:
        connection.execute(sa.text("CREATE TABLE other_app (id INTEGER PRIMARY KEY)"))
    return project


def test_table_of_the_history_gone_from_the_models_is_reported(
    tmp_path: Path, database: Database
) -> None:
    project = project_at_head(tmp_path / "project", database)
    project.write_models(ONE_TABLE)
    done = project.alembic("check", check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "('remove_table', Table('invoice'" in output
    assert "Table('other_app'" not in output


def test_other_applications_tables_are_listed_once_as_ignored(
    tmp_path: Path, database: Database
) -> None:
    project = project_at_head(tmp_path / "project", database)
    done = project.alembic("check")
    assert done.stdout.count("Ignored tables, not compared: other_app\n") == 1
    assert "No new upgrade operations detected." in done.stdout


def test_ci_names_the_ignored_tables(tmp_path: Path, sqlite_database: Database) -> None:
    project = project_at_head(tmp_path / "project", sqlite_database)
    done = project.lback("ci", "--no-lint")
    assert (
        "drift    OK       the models match the migrations; 1 table(s) ignored: other_app"
        in done.stdout
    )
