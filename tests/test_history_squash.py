"""``lback-migrations squash --to REV``: one revision that builds the same schema as the history
it replaces, on a new database and on a database left inside the squashed range."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.databases import Database, fresh_database
from tests.history_revisions import write_history
from tests.projects import AlembicProject

HIDDEN_TABLES = {"alembic_version", "alembic_version_checksums"}


def schema_of(database: Database) -> dict[str, Any]:
    """Everything the inspector reports about the tables, in a comparable form."""
    engine = sa.create_engine(database.url, poolclass=sa.pool.NullPool)
    try:
        inspector = sa.inspect(engine)
        schema: dict[str, Any] = {}
        for table in sorted(set(inspector.get_table_names()) - HIDDEN_TABLES):
            schema[table] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                    for c in inspector.get_columns(table)
                ],
                "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
                "foreign_keys": sorted(
                    (tuple(fk["constrained_columns"]), fk["referred_table"], fk["name"] or "")
                    for fk in inspector.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (index["name"] or "", tuple(index["column_names"]), bool(index["unique"]))
                    for index in inspector.get_indexes(table)
                ),
                "unique": sorted(
                    (u["name"] or "", tuple(u["column_names"]))
                    for u in inspector.get_unique_constraints(table)
                ),
            }
        return schema
    finally:
        engine.dispose()


def versions_of(database: Database) -> list[str]:
    with database.connect() as connection:
        return [
            row[0] for row in connection.execute(sa.text("SELECT version_num FROM alembic_version"))
        ]


def rows_of(database: Database) -> list[tuple[Any, ...]]:
    with database.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text("SELECT id, label FROM item_01"))]


def on(database: Database) -> dict[str, str]:
    """The environment pointing a command at ``database`` (``lback.url_env``)."""
    return {"DATABASE_URL": database.url_string}


def directory(root: Path) -> Path:
    root.mkdir(parents=True)
    return root


def test_a_squash_of_thirty_revisions_builds_the_same_schema_and_takes_a_database_from_inside(
    tmp_path: Path, database: Database
) -> None:
    project = AlembicProject.create(tmp_path / "project", database)
    write_history(project, 30)
    with (
        fresh_database(database.backend, directory(tmp_path / "history")) as history,
        fresh_database(database.backend, directory(tmp_path / "inside")) as inside,
    ):
        project.alembic("upgrade", "head", env=on(history))
        project.alembic("upgrade", "h15", env=on(inside))
        done = project.lback("squash", "--to", "h30")
        assert "h06 h06_step_6.py" in done.stdout
        (squash,) = project.revision_files()
        assert squash.name.startswith("h30_")
        assert len(list((project.root / "migrations" / "replaced").glob("h*.py"))) == 30

        project.alembic("upgrade", "head")
        assert schema_of(database) == schema_of(history)
        assert rows_of(database) == rows_of(history) == [(1, "first")]

        project.alembic("upgrade", "head", env=on(inside))
        assert versions_of(inside) == ["h30"]
        assert schema_of(inside) == schema_of(history)
        assert rows_of(inside) == [(1, "first")]


def test_databases_at_or_past_the_squashed_revision_upgrade_unchanged(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path / "project", sqlite_database)
    write_history(project, 30)
    with (
        fresh_database("sqlite", directory(tmp_path / "history")) as history,
        fresh_database("sqlite", directory(tmp_path / "at")) as at,
        fresh_database("sqlite", directory(tmp_path / "past")) as past,
    ):
        project.alembic("upgrade", "head", env=on(history))
        project.alembic("upgrade", "h20", env=on(at))
        project.alembic("upgrade", "h25", env=on(past))
        project.lback("squash", "--to", "h20")
        assert [path.name for path in project.revision_files()][:2] == [
            "h20_squash_of_the_history_up_to_h20.py",
            "h21_step_21.py",
        ]
        for database in (sqlite_database, at, past):
            project.alembic("upgrade", "head", env=on(database))
            assert versions_of(database) == ["h30"]
            assert schema_of(database) == schema_of(history)


def test_a_database_that_ran_the_squashed_revision_passes_the_checksum_check(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path / "project", sqlite_database)
    write_history(project, 10)
    project.alembic("upgrade", "head")
    project.lback("squash", "--to", "h10")
    report = json.loads(project.lback("ci", "--json", "--no-lint", check=False).stdout)
    (checksums,) = [check for check in report["checks"] if check["name"] == "checksums"]
    assert checksums["status"] == "ok", checksums


def test_squash_refuses_a_range_another_branch_leaves_and_writes_nothing(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path / "project", sqlite_database)
    write_history(project, 6)
    project.alembic("revision", "-m", "branch", "--head", "h03", "--splice", "--rev-id", "side")
    before = sorted(path.name for path in project.revision_files())
    done = project.lback("squash", "--to", "h06", check=False)
    assert done.returncode != 0
    assert "side follows h03, inside the squashed range" in done.stdout + done.stderr
    assert sorted(path.name for path in project.revision_files()) == before
    assert not (project.root / "migrations" / "replaced").exists()


def test_squash_of_a_history_that_fails_on_the_shadow_database_writes_nothing(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path / "project", sqlite_database)
    write_history(project, 3)
    broken = project.versions / "h03_step_3.py"
    broken.write_text(broken.read_text().replace("['note']", "['no_such_column']"))
    before = sorted(path.name for path in project.revision_files())
    done = project.lback("squash", "--to", "h03", check=False)
    assert done.returncode != 0
    assert "the history does not run on a shadow database" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert sorted(path.name for path in project.revision_files()) == before
    assert not (project.root / "migrations" / "replaced").exists()
