"""Sequences no column owns, on PostgreSQL and MariaDB: created, altered and dropped through
the stock ``alembic`` command; SERIAL sequences and SQLite left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.databases import Database
from tests.object_round_trips import (
    assert_check_clean,
    assert_rebuilds_from_base,
    change_models,
    lint_never_fails,
    project_with,
    rows,
)

MODELS = """
    import sqlalchemy as sa

    metadata = sa.MetaData()
    invoice_number = sa.Sequence("invoice_number", start=1000, increment=1, metadata=metadata)
    sa.Table(
        "invoice",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.Integer, invoice_number),
    )
"""
WITHOUT_SEQUENCE = """
    import sqlalchemy as sa

    metadata = sa.MetaData()
    sa.Table(
        "invoice",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.Integer),
    )
"""
SERVERS = [
    pytest.param("postgresql", marks=pytest.mark.postgresql),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
]


@pytest.fixture(params=SERVERS)
def server_database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    database: Database = request.getfixturevalue(f"{request.param}_database")
    return database


def next_number(database: Database) -> int:
    query = (
        "SELECT nextval('invoice_number')"
        if database.backend == "postgresql"
        else "SELECT NEXTVAL(invoice_number)"
    )
    (value,) = rows(database, query)[0]
    assert isinstance(value, int)
    return value


def test_a_new_sequence_is_created_before_the_table_using_it(
    tmp_path: Path, server_database: Database
) -> None:
    project = project_with(tmp_path, server_database, MODELS)
    upgrade, downgrade = project.revision_files()[0].read_text().split("def downgrade")
    assert upgrade.index("CREATE SEQUENCE invoice_number") < upgrade.index("op.create_table")
    assert downgrade.index("op.drop_table") < downgrade.index("DROP SEQUENCE invoice_number")
    assert next_number(server_database) == 1000
    assert_check_clean(project)
    assert_rebuilds_from_base(project)


def test_a_changed_increment_is_altered_and_the_next_value_does_not_move_back(
    tmp_path: Path, server_database: Database
) -> None:
    project = project_with(tmp_path, server_database, MODELS)
    assert next_number(server_database) == 1000
    text = change_models(project, MODELS.replace("increment=1", "increment=10"))
    assert "ALTER SEQUENCE invoice_number INCREMENT BY 10" in text.split("def downgrade")[0]
    assert "ALTER SEQUENCE invoice_number INCREMENT BY 1" in text.split("def downgrade")[1]
    assert next_number(server_database) > 1000
    assert_check_clean(project)
    assert_rebuilds_from_base(project)


def test_a_changed_start_is_altered(tmp_path: Path, server_database: Database) -> None:
    project = project_with(tmp_path, server_database, MODELS)
    text = change_models(project, MODELS.replace("start=1000", "start=5000"))
    assert "ALTER SEQUENCE invoice_number START WITH 5000" in text
    assert_check_clean(project)
    assert_rebuilds_from_base(project)


def test_a_removed_sequence_is_dropped_only_when_unknown_objects_may_be(
    tmp_path: Path, server_database: Database
) -> None:
    project = project_with(tmp_path, server_database, MODELS)
    project.write_models(WITHOUT_SEQUENCE)
    assert project.autogenerate("sequence left alone") is None
    project.set_main_option("lback.drop_unknown_tables", "true")
    lint_never_fails(project)
    text = change_models(project, WITHOUT_SEQUENCE)
    upgrade, downgrade = text.split("def downgrade")
    assert "DROP SEQUENCE invoice_number" in upgrade
    assert "CREATE SEQUENCE invoice_number" in downgrade
    assert_check_clean(project)
    assert_rebuilds_from_base(project)


@pytest.mark.postgresql
def test_serial_sequences_belong_to_their_column(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(
        tmp_path, postgresql_database, WITHOUT_SEQUENCE, drop_unknown_tables="true"
    )
    assert "SEQUENCE" not in project.revision_files()[0].read_text()
    assert_check_clean(project)


def test_sqlite_has_no_sequences_to_compare(tmp_path: Path, sqlite_database: Database) -> None:
    project = project_with(tmp_path, sqlite_database, MODELS)
    assert "SEQUENCE" not in project.revision_files()[0].read_text()
    assert_check_clean(project)
    assert_rebuilds_from_base(project)
