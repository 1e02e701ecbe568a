"""``lback.revision_ids``: ids of new revisions, and file names, that sort in history order."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.databases import Database
from tests.history_revisions import create_table_revision, revision_id
from tests.projects import AlembicProject

TABLES = ("account", "invoice", "payment")


def history_order(project: AlembicProject) -> list[str]:
    """Revision ids from the base to the head, as ``alembic history`` lists them."""
    listing = project.alembic("history").stdout.splitlines()
    return [line.split(" -> ")[1].split(",")[0].split(" ")[0] for line in reversed(listing)]


@pytest.mark.parametrize("mode", ["sequential", "timestamp"])
def test_ordered_ids_and_file_names_sort_in_history_order(
    tmp_path: Path, database: Database, mode: str
) -> None:
    project = AlembicProject.create(tmp_path, database, options={"revision_ids": mode})
    for table in TABLES:
        create_table_revision(project, table)
    files = project.revision_files()
    ids = [revision_id(path) for path in files]
    assert ids == history_order(project)
    assert ids == sorted(ids)
    assert [path.name.split("_")[0] for path in files] == ids
    project.alembic("upgrade", "head")
    assert set(TABLES) <= database.table_names()


def test_sequential_ids_count_from_one(tmp_path: Path, sqlite_database: Database) -> None:
    project = AlembicProject.create(
        tmp_path, sqlite_database, options={"revision_ids": "sequential"}
    )
    for table in TABLES:
        create_table_revision(project, table)
    assert [revision_id(path) for path in project.revision_files()] == ["0001", "0002", "0003"]


def test_timestamp_ids_are_the_utc_time_of_writing(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path, sqlite_database, options={"revision_ids": "timestamp"}
    )
    identifier = revision_id(create_table_revision(project, "account"))
    assert len(identifier) == 14
    assert identifier.isdigit()
    assert identifier[:4] >= "2024"


def test_an_id_given_with_rev_id_is_kept(tmp_path: Path, sqlite_database: Database) -> None:
    project = AlembicProject.create(
        tmp_path, sqlite_database, options={"revision_ids": "sequential"}
    )
    assert revision_id(create_table_revision(project, "account", "--rev-id", "mine")) == "mine"


def test_an_unknown_revision_ids_value_names_the_key_and_writes_no_revision(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path, sqlite_database, options={"revision_ids": "uuid"})
    done = project.alembic("revision", "-m", "account", check=False)
    assert done.returncode != 0
    assert "lback.revision_ids" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert project.revision_files() == []
