"""``plan`` says what ``migrate`` (or ``rollback``) would do, in order, with lint findings and
SQL; ``sqlmigrate`` prints one revision's SQL. Neither touches the schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.databases import Database
from tests.projects import AlembicProject

AUTO_INCREMENT = {
    "sqlite": "id INTEGER NOT NULL",
    "postgresql": "id SERIAL NOT NULL",
    "mariadb": "id INTEGER NOT NULL AUTO_INCREMENT",
}


@pytest.fixture
def project(database: Database, tmp_path: Path) -> AlembicProject:
    """Three revisions: create account, add its email, drop its email."""
    created = AlembicProject.create(tmp_path / "project", database)
    created.write_revision(
        "r1",
        'op.create_table("account", sa.Column("id", sa.Integer, primary_key=True))',
        downgrade='op.drop_table("account")',
    )
    created.write_revision(
        "r2",
        'op.add_column("account", sa.Column("email", sa.String(80)))',
        down_revision="r1",
        downgrade='op.drop_column("account", "email")',
    )
    created.write_revision(
        "r3",
        'op.drop_column("account", "email")',
        down_revision="r2",
        downgrade='op.add_column("account", sa.Column("email", sa.String(80)))',
    )
    return created


def test_plan_lists_the_revisions_migrate_would_apply_in_order(project: AlembicProject) -> None:
    project.lback("migrate", "r1")

    result = project.lback("plan")

    lines = result.stdout.splitlines()
    assert lines[0] == "database at r1; migrate head would run, in order:"
    steps = [line.strip() for line in lines if line.startswith("  upgrade")]
    assert steps == ["upgrade r2", "upgrade r3"]
    assert project.version_table() == {"r1"}


def test_plan_shows_each_revisions_lint_findings_under_it(project: AlembicProject) -> None:
    result = project.lback("plan")

    after_r3 = result.stdout.split("upgrade r3")[1]
    before_r3 = result.stdout.split("upgrade r3")[0]
    assert "LB102" in after_r3
    assert "LB102" not in before_r3


def test_plan_of_a_lower_version_lists_what_rollback_would_revert(
    project: AlembicProject,
) -> None:
    project.lback("migrate")

    result = project.lback("plan", "r1")

    assert result.stdout.splitlines()[0] == "database at r3; rollback r1 would run, in order:"
    steps = [line.strip() for line in result.stdout.splitlines() if "downgrade" in line]
    assert steps == ["downgrade r3", "downgrade r2"]


def test_plan_says_when_there_is_nothing_to_do(project: AlembicProject) -> None:
    project.lback("migrate")

    result = project.lback("plan")

    assert result.stdout.strip() == "database at r3: nothing to do for head"


def test_plan_sql_shows_each_revisions_sql_for_the_configured_dialect(
    project: AlembicProject, database: Database
) -> None:
    result = project.lback("plan", "--sql")

    first = result.stdout.split("upgrade r2")[0]
    assert "CREATE TABLE account" in first
    assert AUTO_INCREMENT[database.backend] in first
    assert "alembic_version" not in result.stdout
    assert database.table_names() == set()


def test_sqlmigrate_prints_one_revisions_sql(project: AlembicProject, database: Database) -> None:
    result = project.lback("sqlmigrate", "r1")

    assert result.stdout.startswith("CREATE TABLE account")
    assert AUTO_INCREMENT[database.backend] in result.stdout
    assert result.stdout.rstrip().endswith(";")
    assert database.table_names() == set()


def test_sqlmigrate_downgrade_prints_the_downgrades_sql(project: AlembicProject) -> None:
    result = project.lback("sqlmigrate", "r1", "--downgrade")

    assert result.stdout.strip() == "DROP TABLE account;"


def test_sqlmigrate_of_an_unknown_revision_fails_in_one_line(project: AlembicProject) -> None:
    result = project.lback("sqlmigrate", "nope", check=False)

    assert result.returncode != 0
    assert result.stdout.startswith("FAILED: revision 'nope': ")
    assert len(result.stdout.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
