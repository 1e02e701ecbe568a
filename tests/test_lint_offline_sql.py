"""``lback-migrations lint --sql``: the SQL ``alembic upgrade --sql`` renders for the configured
database is what is checked, on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.databases import Database
from tests.projects import AlembicProject
from tests.revision_files import write_revision

CREATE_BODY = """
    def upgrade() -> None:
        op.create_table(
            "account",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("email", sa.String(100), nullable=False),
        )


    def downgrade() -> None:
        op.drop_table("account")
"""
HIDDEN_DROP_BODY = """
    LEGACY = "legacy"


    def upgrade() -> None:
        op.execute(f"DROP TABLE {LEGACY}")


    def downgrade() -> None:
        op.create_table(LEGACY, sa.Column("id", sa.Integer(), primary_key=True))
"""
ADD_COLUMN_BODY = """
    def upgrade() -> None:
        op.add_column("account", sa.Column("active", sa.Boolean(), nullable=False))


    def downgrade() -> None:
        op.drop_column("account", "active")
"""


@pytest.fixture
def project(tmp_path: Path, database: Database) -> AlembicProject:
    created = AlembicProject.create(tmp_path / "project", database)
    write_revision(created, "a1", None, CREATE_BODY)
    return created


def test_sql_built_at_run_time_is_checked_as_rendered(project: AlembicProject) -> None:
    write_revision(project, "b2", "a1", HIDDEN_DROP_BODY)
    assert " LB101 " not in project.lback("lint", check=False).stdout
    result = project.lback("lint", "--sql", check=False)
    assert result.returncode == 1
    assert "b2_change.py:1:1: LB101 " in result.stdout
    assert "[upgrade --sql, statement 1: DROP TABLE legacy]" in result.stdout


def test_the_rendered_sql_of_a_python_operation_gets_the_same_finding(
    project: AlembicProject,
) -> None:
    write_revision(project, "b2", "a1", ADD_COLUMN_BODY)
    result = project.lback("lint", "--sql", check=False)
    assert "b2_change.py:1:1: LB201 " in result.stdout


def test_the_version_table_and_a_clean_revision_give_no_finding(project: AlembicProject) -> None:
    result = project.lback("lint", "--sql")
    assert (result.returncode, result.stdout) == (0, "")


def test_a_history_that_cannot_render_is_one_error_line(project: AlembicProject) -> None:
    write_revision(project, "b2", "a1", "def upgrade() -> None:\n    raise RuntimeError('boom')\n")
    result = project.lback("lint", "--sql", check=False)
    assert result.returncode == 2
    assert result.stderr == (
        "error: lint --sql: alembic upgrade --sql failed: boom; run it yourself to see why\n"
    )
