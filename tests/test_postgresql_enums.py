"""PostgreSQL enum types through the stock ``alembic`` command: created before the tables
using them, dropped after the last, values added in place, renamed in place, or swapped with a
guard; and native enums on SQLite and MariaDB left as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.databases import Database
from tests.object_round_trips import (
    assert_check_clean,
    assert_rebuilds_from_base,
    change_models,
    execute,
    lint_never_fails,
    project_with,
    rows,
)

SHARED_MOOD = """
    import sqlalchemy as sa

    metadata = sa.MetaData()
    mood = sa.Enum({values}, name="mood")
    person = sa.Table(
        "person",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("mood", mood, server_default="ok"),
    )
    pet = sa.Table(
        "pet", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("mood", mood)
    )
"""


DROPPING = {"drop_unknown_tables": "true", "only_metadata_tables": "false"}
"""Options that let autogenerate drop the tables the models no longer define."""


def mood_models(*values: str) -> str:
    return SHARED_MOOD.format(values=", ".join(repr(value) for value in values))


def enum_labels(database: Database, name: str = "mood") -> list[object]:
    return [
        label
        for (label,) in rows(
            database,
            "SELECT enumlabel FROM pg_enum JOIN pg_type ON pg_type.oid = enumtypid "
            f"WHERE typname = '{name}' ORDER BY enumsortorder",
        )
    ]


@pytest.mark.postgresql
def test_a_shared_enum_is_created_once_before_its_tables(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(tmp_path, postgresql_database, mood_models("sad", "ok"))
    text = project.revision_files()[0].read_text()
    assert text.count("CREATE TYPE mood AS ENUM ('sad', 'ok')") == 1
    assert text.index("CREATE TYPE mood") < text.index('op.create_table(\n        "person"')
    assert text.count("create_type=False") == 2
    assert_check_clean(project)


@pytest.mark.postgresql
def test_downgrade_drops_the_enum_after_its_tables_so_upgrade_runs_again(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(tmp_path, postgresql_database, mood_models("sad", "ok"))
    downgrade = project.revision_files()[0].read_text().split("def downgrade")[1]
    assert downgrade.index('op.drop_table("person")') < downgrade.index("DROP TYPE mood")
    project.alembic("downgrade", "base")
    assert enum_labels(postgresql_database) == []
    assert_rebuilds_from_base(project)


@pytest.mark.postgresql
def test_added_values_are_added_in_place_in_their_order_and_rows_are_kept(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(tmp_path, postgresql_database, mood_models("sad", "ok"))
    execute(postgresql_database, "INSERT INTO person (id, mood) VALUES (1, 'sad'), (2, 'ok')")
    text = change_models(project, mood_models("awful", "sad", "meh", "ok", "great"))
    upgrade = text.split("def downgrade")[0]
    assert "with op.get_context().autocommit_block():" in upgrade
    assert "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'awful' BEFORE 'sad'" in upgrade
    assert "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' AFTER 'sad'" in upgrade
    assert "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'great' AFTER 'ok'" in upgrade
    assert "RENAME TO" not in upgrade
    assert enum_labels(postgresql_database) == ["awful", "sad", "meh", "ok", "great"]
    assert_check_clean(project)
    assert rows(postgresql_database, "SELECT id, mood::text FROM person ORDER BY id") == [
        (1, "sad"),
        (2, "ok"),
    ]
    project.alembic("downgrade", "-1")
    assert enum_labels(postgresql_database) == ["sad", "ok"]
    assert rows(postgresql_database, "SELECT count(*) FROM person") == [(2,)]
    project.alembic("upgrade", "head")
    assert_rebuilds_from_base(project)


@pytest.mark.postgresql
def test_a_value_in_the_place_of_another_is_renamed_in_place_keeping_rows(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(tmp_path, postgresql_database, mood_models("sad", "ok"))
    execute(postgresql_database, "INSERT INTO pet (id, mood) VALUES (1, 'sad')")
    text = change_models(project, mood_models("unhappy", "ok"))
    assert "ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy'" in text.split("def downgrade")[0]
    assert "ALTER TYPE mood RENAME VALUE 'unhappy' TO 'sad'" in text.split("def downgrade")[1]
    assert rows(postgresql_database, "SELECT mood::text FROM pet") == [("unhappy",)]
    assert_check_clean(project)
    assert_rebuilds_from_base(project)


@pytest.mark.postgresql
def test_a_removed_value_is_swapped_out_only_once_no_row_holds_it(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(tmp_path, postgresql_database, mood_models("sad", "meh", "ok"))
    execute(postgresql_database, "INSERT INTO pet (id, mood) VALUES (1, 'meh'), (2, 'ok')")
    project.write_models(mood_models("sad", "ok"))
    revision = project.autogenerate("drop meh")
    assert revision is not None
    text = revision.read_text()
    assert "rewrites person, pet under an exclusive lock" in text
    refused = project.alembic("upgrade", "head", check=False)
    assert refused.returncode != 0
    assert "rows hold values removed from enum mood (meh)" in refused.stderr
    assert enum_labels(postgresql_database) == ["sad", "meh", "ok"]
    execute(postgresql_database, "UPDATE pet SET mood = 'sad' WHERE mood = 'meh'")
    project.alembic("upgrade", "head")
    assert enum_labels(postgresql_database) == ["sad", "ok"]
    assert rows(postgresql_database, "SELECT id, mood::text FROM pet ORDER BY id") == [
        (1, "sad"),
        (2, "ok"),
    ]
    assert rows(
        postgresql_database,
        "SELECT column_default FROM information_schema.columns "
        "WHERE table_name = 'person' AND column_name = 'mood'",
    ) == [("'ok'::mood",)]
    assert_check_clean(project)
    assert_rebuilds_from_base(project)


@pytest.mark.postgresql
def test_removing_values_warns_that_the_tables_are_rewritten(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(tmp_path, postgresql_database, mood_models("sad", "meh", "ok"))
    project.write_models(mood_models("ok", "sad"))
    result = project.alembic("revision", "--autogenerate", "-m", "reorder")
    assert "enum mood: values removed or reordered (sad, meh, ok -> ok, sad)" in result.stderr
    assert "rewrites every table using it under an exclusive lock" in result.stderr


@pytest.mark.postgresql
def test_an_enum_still_used_by_another_table_outlives_a_dropped_table(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(tmp_path, postgresql_database, mood_models("sad", "ok"), **DROPPING)
    lint_never_fails(project)
    without_pet = mood_models("sad", "ok").split("    pet = ")[0]
    text = change_models(project, without_pet)
    assert "TYPE mood" not in text
    assert "create_type=False" in text.split("def downgrade")[1]
    assert enum_labels(postgresql_database) == ["sad", "ok"]
    assert_check_clean(project)
    assert_rebuilds_from_base(project)


@pytest.mark.postgresql
def test_the_enum_goes_with_the_last_table_using_it(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(tmp_path, postgresql_database, mood_models("sad", "ok"), **DROPPING)
    lint_never_fails(project)
    text = change_models(
        project,
        "import sqlalchemy as sa\nmetadata = sa.MetaData()\nsa.Table('other', metadata, "
        "sa.Column('id', sa.Integer, primary_key=True))\n",
    )
    upgrade, downgrade = text.split("def downgrade")
    assert upgrade.index('op.drop_table("pet")') < upgrade.index('op.execute("DROP TYPE mood")')
    assert downgrade.index("CREATE TYPE mood") < downgrade.index('op.create_table(\n        "pet"')
    assert enum_labels(postgresql_database) == []
    assert_rebuilds_from_base(project)


@pytest.mark.postgresql
def test_an_enum_added_with_a_column_is_created_before_it(
    tmp_path: Path, postgresql_database: Database
) -> None:
    models = mood_models("sad", "ok")
    project = project_with(tmp_path, postgresql_database, models)
    execute(postgresql_database, "INSERT INTO pet (id) VALUES (1)")
    text = change_models(
        project,
        models.replace(
            'sa.Column("mood", mood)',
            'sa.Column("mood", mood), sa.Column("size", sa.Enum("S", "L", name="size"))',
        ),
    )
    assert text.index("CREATE TYPE size AS ENUM ('S', 'L')") < text.index("op.add_column")
    assert rows(postgresql_database, "SELECT id FROM pet") == [(1,)]
    assert_check_clean(project)
    assert_rebuilds_from_base(project)


OTHER_SCHEMA = """
    import sqlalchemy as sa

    metadata = sa.MetaData()
    sa.Table(
        "event",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("level", sa.Enum("info", "error", name="level", schema="audit")),
        schema="audit",
    )
"""


@pytest.mark.postgresql
def test_an_enum_in_another_schema_is_created_and_dropped_there(
    tmp_path: Path, postgresql_database: Database
) -> None:
    execute(postgresql_database, "CREATE SCHEMA audit")
    project = project_with(tmp_path, postgresql_database, OTHER_SCHEMA, schemas="audit")
    text = project.revision_files()[0].read_text()
    assert "CREATE TYPE audit.level AS ENUM ('info', 'error')" in text
    assert "DROP TYPE audit.level" in text
    assert_check_clean(project)
    change_models(project, OTHER_SCHEMA.replace('"error"', '"error", "fatal"'))
    assert rows(
        postgresql_database,
        "SELECT count(*) FROM pg_enum JOIN pg_type ON pg_type.oid = enumtypid "
        "JOIN pg_namespace ON pg_namespace.oid = typnamespace "
        "WHERE typname = 'level' AND nspname = 'audit'",
    ) == [(3,)]
    assert_check_clean(project)
    assert_rebuilds_from_base(project)


@pytest.mark.postgresql
def test_the_enum_plugin_can_be_turned_off_by_name(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(
        tmp_path,
        postgresql_database,
        mood_models("sad", "ok"),
        autogenerate_plugins="~lback.postgresql_enums",
    )
    text = project.revision_files()[0].read_text()
    assert "CREATE TYPE" not in text
    assert "create_type=False" not in text


def assert_stock_enum_round_trip(root: Path, database: Database) -> None:
    project = project_with(root, database, mood_models("sad", "ok"))
    text = project.revision_files()[0].read_text()
    assert "sa.Enum(" in text
    assert "CREATE TYPE" not in text
    assert_check_clean(project)
    assert_rebuilds_from_base(project)


def test_enums_on_sqlite_render_as_stock_alembic_does(
    tmp_path: Path, sqlite_database: Database
) -> None:
    assert_stock_enum_round_trip(tmp_path, sqlite_database)


@pytest.mark.mariadb
def test_enums_on_mariadb_render_as_stock_alembic_does(
    tmp_path: Path, mariadb_database: Database
) -> None:
    assert_stock_enum_round_trip(tmp_path, mariadb_database)
