"""Checksums of applied revisions: an edit of an applied revision fails ``ci`` until accepted;
reformatting does not count."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from lback_migrations.history.checksums import file_checksum
from tests.databases import Database
from tests.history_revisions import create_table_revision, revision_id
from tests.projects import AlembicProject

CHECKSUM_TABLE = "alembic_version_checksums"


def checksums_check(project: AlembicProject) -> dict[str, Any]:
    done = project.lback("ci", "--json", "--no-lint", check=False)
    checks = {check["name"]: check for check in json.loads(done.stdout)["checks"]}
    return checks["checksums"]


def recorded(database: Database) -> dict[str, str]:
    with database.connect() as connection:
        rows = connection.execute(sa.text(f"SELECT revision, checksum FROM {CHECKSUM_TABLE}"))
        return {revision: checksum for revision, checksum in rows}


def applied_project(root: Path, database: Database) -> tuple[AlembicProject, Path, Path]:
    project = AlembicProject.create(root, database)
    first = create_table_revision(project, "account")
    second = create_table_revision(project, "invoice")
    project.alembic("upgrade", "head")
    return project, first, second


def test_upgrade_records_the_checksum_of_each_applied_revision(
    tmp_path: Path, database: Database
) -> None:
    _, first, second = applied_project(tmp_path, database)
    assert recorded(database) == {
        revision_id(first): file_checksum(first),
        revision_id(second): file_checksum(second),
    }


def test_downgrade_forgets_the_checksum_of_the_reverted_revision(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project, first, _ = applied_project(tmp_path, sqlite_database)
    project.alembic("downgrade", "-1")
    assert set(recorded(sqlite_database)) == {revision_id(first)}


def test_editing_an_applied_revision_fails_ci_until_accepted(
    tmp_path: Path, database: Database
) -> None:
    project, first, _ = applied_project(tmp_path, database)
    assert checksums_check(project)["status"] == "ok"
    first.write_text(first.read_text().replace("sa.String(40)", "sa.String(80)"))
    check = checksums_check(project)
    assert check["status"] == "failed"
    assert check["details"] == [f"{revision_id(first)} ({first})"]
    accepted = project.lback("checksums", "--accept", revision_id(first))
    assert f"{revision_id(first)}: recorded the checksum" in accepted.stdout
    assert checksums_check(project)["status"] == "ok"
    assert recorded(database)[revision_id(first)] == file_checksum(first)


def test_reformatting_recommenting_or_redocumenting_an_applied_revision_does_not_count(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project, first, _ = applied_project(tmp_path, sqlite_database)
    source = first.read_text()
    edited = (
        source.replace('"""create account', '"""Create the account table.\n\ncreate account', 1)
        .replace(
            "op.create_table('account',",
            "# the first table\n    op.create_table(\n        'account',",
        )
        .replace("sa.String(40)))", "sa.String(40)),\n    )")
        .replace("'", '"')
    )
    assert edited != source
    first.write_text(edited)
    assert checksums_check(project)["status"] == "ok"


def test_accept_refuses_a_revision_that_was_not_applied(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path, sqlite_database)
    first = create_table_revision(project, "account")
    done = project.lback("checksums", "--accept", revision_id(first), check=False)
    assert done.returncode != 0
    assert "it was not applied to this database" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_offline_sql_writes_the_same_checksum_records(tmp_path: Path, database: Database) -> None:
    project = AlembicProject.create(tmp_path, database)
    first = create_table_revision(project, "account")
    script = project.alembic("upgrade", "head", "--sql").stdout
    assert f"CREATE TABLE {CHECKSUM_TABLE}" in script
    assert f"INSERT INTO {CHECKSUM_TABLE} (revision, checksum) VALUES " in script
    assert f"'{revision_id(first)}', '{file_checksum(first)}'" in script


def test_autogenerate_never_proposes_to_drop_the_checksum_table(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path,
        sqlite_database,
        models="""
            from sqlalchemy import String
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            class Base(DeclarativeBase):
                pass

            class Account(Base):
                __tablename__ = "account"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(String(40))
        """,
        options={
            "target_metadata": "app.models:Base.metadata",
            "only_metadata_tables": "false",
            "drop_unknown_tables": "true",
        },
    )
    project.autogenerate("create account")
    project.alembic("upgrade", "head")
    assert CHECKSUM_TABLE in sqlite_database.table_names()
    assert project.autogenerate("nothing") is None
