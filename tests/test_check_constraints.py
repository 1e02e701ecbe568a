"""Named CHECK constraints with ``lback.compare_check_constraints = true``: Alembic's
``alembic.ext.checkconstraint_byname`` for added and removed ones, and changed expressions
detected without the false positives of each server's spelling."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from lback_migrations.objects.check_constraints import spelled_check
from lback_migrations.objects.spelling import canonical_expression
from tests.databases import Database
from tests.object_round_trips import (
    assert_check_clean,
    assert_rebuilds_from_base,
    change_models,
    execute,
    project_with,
    rows,
)

MODELS = """
    import sqlalchemy as sa

    metadata = sa.MetaData()
    sa.Table(
        "item",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("name", sa.String(20)),
        sa.Column("status", sa.String(10)),
        sa.Column("data", sa.JSON),
        sa.CheckConstraint("price > 0 AND name <> ''", name="positive"),
        sa.CheckConstraint("status IN ('a', 'b') AND price BETWEEN 1 AND 100", name="status"),
        sa.CheckConstraint("length(name) > 1"),
    )
"""
CHECKS = {"compare_check_constraints": "true"}


def test_a_model_with_check_constraints_is_clean_after_upgrade(
    tmp_path: Path, database: Database
) -> None:
    project = project_with(tmp_path, database, MODELS, **CHECKS)
    assert_check_clean(project)


def test_a_changed_expression_is_dropped_and_added_keeping_rows(
    tmp_path: Path, database: Database
) -> None:
    project = project_with(tmp_path, database, MODELS, **CHECKS)
    execute(database, "INSERT INTO item (id, price, name, status) VALUES (1, 5, 'pen', 'a')")
    text = change_models(project, MODELS.replace("price > 0", "price > 2"))
    upgrade, downgrade = text.split("def downgrade")
    assert re.search(r'drop_constraint\(\s*(?:\w+\.f\()?"positive"', upgrade)
    assert "price > 2 AND name <> ''" in upgrade
    assert "create_check_constraint" in downgrade
    assert "price > 0" in downgrade.replace("`", "")
    assert_check_clean(project)
    assert rows(database, "SELECT id, name FROM item") == [(1, "pen")]
    assert_rebuilds_from_base(project)


def test_added_and_removed_constraints_are_found_by_name(
    tmp_path: Path, database: Database
) -> None:
    project = project_with(tmp_path, database, MODELS, **CHECKS)
    text = change_models(
        project,
        MODELS.replace(
            """sa.CheckConstraint("price > 0 AND name <> ''", name="positive"),""",
            """sa.CheckConstraint("status <> ''", name="some_status"),""",
        ),
    )
    upgrade = text.split("def downgrade")[0]
    assert re.search(r'drop_constraint\(\s*(?:\w+\.f\()?"positive"', upgrade)
    assert re.search(r'create_check_constraint\(\s*"some_status"', upgrade)
    assert_check_clean(project)
    assert_rebuilds_from_base(project)


def test_without_the_option_check_constraints_are_not_compared(
    tmp_path: Path, database: Database
) -> None:
    project = project_with(tmp_path, database, MODELS)
    project.write_models(MODELS.replace("price > 0", "price > 2"))
    assert project.autogenerate("nothing compared") is None


@pytest.mark.postgresql
def test_an_unnamed_model_constraint_named_by_the_server_is_not_dropped(
    tmp_path: Path, postgresql_database: Database
) -> None:
    """Stock ``checkconstraint_byname`` alone proposes dropping ``item_name_check``."""
    project = project_with(tmp_path, postgresql_database, MODELS, **CHECKS)
    assert_check_clean(project)
    project.set_main_option("lback.autogenerate_plugins", "~lback.check_constraints")
    result = project.alembic("check", check=False)
    assert result.returncode != 0
    assert "item_name_check" in result.stdout


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("price > 0", "((price > 0))"),
        ('"Price" > 0', "(price > 0)"),
        ("status IN ('A', 'b')", "STATUS in ('A', 'b')"),
        ("`name` <> ''", "NAME   <>   ''"),
    ],
)
def test_canonical_expressions_ignore_case_quotes_space_and_enclosing_parentheses(
    written: str, stored: str
) -> None:
    assert canonical_expression(written) == canonical_expression(stored)


def test_canonical_expressions_leave_casts_to_the_server() -> None:
    assert canonical_expression("price > 0") != canonical_expression("price > (0)::numeric")


def test_canonical_expressions_keep_string_literals_and_inner_grouping() -> None:
    assert canonical_expression("status = 'A'") != canonical_expression("status = 'a'")
    assert canonical_expression("(a > 1) AND (b > 1)") != canonical_expression("a > 1) AND (b > 1")


def spelling_on(database: Database, expression: str) -> str | None:
    execute(database, "CREATE TABLE item (price NUMERIC(10, 2), name VARCHAR(20))")
    engine = sa.create_engine(database.url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as connection:
            spelled = spelled_check(connection, None, "item", expression)
            assert sa.inspect(connection).get_check_constraints("item") == []
            return spelled
    finally:
        engine.dispose()


@pytest.mark.postgresql
def test_postgresql_spells_the_model_expression_as_it_stores_it(
    postgresql_database: Database,
) -> None:
    spelled = spelling_on(postgresql_database, "price > 0 AND name <> ''")
    assert spelled == "price > 0::numeric AND name::text <> ''::text"


@pytest.mark.mariadb
def test_mariadb_spells_the_model_expression_as_it_stores_it(mariadb_database: Database) -> None:
    spelled = spelling_on(mariadb_database, "price > 0 AND name <> ''")
    assert spelled == "`price` > 0 and `name` <> ''"


def test_sqlite_keeps_the_text_as_written_so_nothing_is_asked(sqlite_database: Database) -> None:
    assert spelling_on(sqlite_database, "price > 0") is None
