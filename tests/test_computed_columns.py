"""Generated columns whose expression changed: detected on every backend, rendered as a drop
and an add, linted as LB250, and the table's rows kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.databases import Database
from tests.object_round_trips import (
    assert_check_clean,
    assert_rebuilds_from_base,
    execute,
    lint_never_fails,
    project_with,
    rows,
)

MODELS = """
    import sqlalchemy as sa

    metadata = sa.MetaData()
    sa.Table(
        "line",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("quantity", sa.Integer),
        sa.Column("total", sa.Numeric(12, 2), sa.Computed("price * quantity", persisted=True)),
    )
"""
SERVERS = [
    pytest.param("postgresql", marks=pytest.mark.postgresql),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
]
CHANGED = MODELS.replace('"price * quantity"', '"price * quantity + 1"')


def test_a_model_with_a_generated_column_is_clean_after_upgrade(
    tmp_path: Path, database: Database
) -> None:
    project = project_with(tmp_path, database, MODELS)
    assert_check_clean(project)


@pytest.fixture(params=SERVERS)
def server_database(request: pytest.FixtureRequest) -> Database:
    database: Database = request.getfixturevalue(f"{request.param}_database")
    return database


def test_a_changed_expression_is_dropped_and_added_keeping_rows(
    tmp_path: Path, server_database: Database
) -> None:
    database = server_database
    project = project_with(tmp_path, database, MODELS)
    lint_never_fails(project)
    execute(database, "INSERT INTO line (id, price, quantity) VALUES (1, 2.5, 4)")
    project.write_models(CHANGED)
    result = project.alembic("revision", "--autogenerate", "-m", "change total")
    assert "LB250" in result.stdout
    (revision,) = [path for path in project.revision_files() if "change_total" in path.name]
    upgrade, downgrade = revision.read_text().split("def downgrade")
    assert upgrade.index('op.drop_column("line", "total")') < upgrade.index("op.add_column")
    assert "price * quantity + 1" in upgrade
    assert "price * quantity + 1" not in downgrade
    project.alembic("upgrade", "head")
    assert [float(total) for (total,) in rows(database, "SELECT total FROM line")] == [11.0]
    assert_check_clean(project)
    project.alembic("downgrade", "-1")
    assert [float(total) for (total,) in rows(database, "SELECT total FROM line")] == [10.0]
    project.alembic("upgrade", "head")
    assert_rebuilds_from_base(project)


def test_sqlite_gives_no_expression_back_so_a_change_is_not_seen(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = project_with(tmp_path, sqlite_database, MODELS)
    project.write_models(CHANGED)
    assert project.autogenerate("not seen") is None
