"""The ``lback_async`` template on aiosqlite, asyncpg and aiomysql, through the stock command."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.databases import Database
from tests.models import ACCOUNT_MODELS, BASE_METADATA
from tests.projects import AlembicProject
from tests.revision_files import revision_source


def async_project(root: Path, database: Database) -> AlembicProject:
    return AlembicProject.create(
        root,
        database,
        models=ACCOUNT_MODELS,
        template="lback_async",
        options={"target_metadata": BASE_METADATA},
    )


def test_async_template_autogenerates_upgrades_checks_and_downgrades(
    tmp_path: Path, database: Database
) -> None:
    project = async_project(tmp_path, database)
    revision = project.autogenerate("create account")
    assert revision is not None
    assert "op.create_table('account'" in revision_source(revision)
    project.alembic("upgrade", "head")
    assert "account" in database.table_names()
    assert "No new upgrade operations detected" in project.alembic("check").stdout
    assert project.autogenerate("nothing") is None
    project.alembic("downgrade", "base")
    assert "account" not in database.table_names()


def test_async_template_alters_a_sqlite_column_in_batch_mode(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = async_project(tmp_path, sqlite_database)
    assert project.autogenerate("create account") is not None
    project.alembic("upgrade", "head")
    project.write_models(ACCOUNT_MODELS.replace("String(50)", "String(200)"))
    revision = project.autogenerate("widen name")
    assert revision is not None
    assert "with op.batch_alter_table('account'" in revision_source(revision)
    project.alembic("upgrade", "head")
    assert "No new upgrade operations detected" in project.alembic("check").stdout


RUN_SYNC_UPGRADE = """
import asyncio
import sys

from sqlalchemy.ext.asyncio import create_async_engine

from alembic import command
from alembic.config import Config


def upgrade(connection):
    config = Config("alembic.ini")
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def main():
    engine = create_async_engine(sys.argv[1])
    async with engine.begin() as connection:
        await connection.run_sync(upgrade)
    await engine.dispose()


asyncio.run(main())
"""


def test_async_template_uses_the_connection_handed_over_by_run_sync(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = async_project(tmp_path, sqlite_database)
    assert project.autogenerate("create account") is not None
    project.set_main_option("sqlalchemy.url", "sqlite+aiosqlite:////nonexistent-directory/x.db")
    project.run(sys.executable, "-c", RUN_SYNC_UPGRADE, sqlite_database.async_url_string)
    assert {"account", "alembic_version"} <= sqlite_database.table_names()


def test_async_template_offline_sql_never_connects(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = async_project(tmp_path, sqlite_database)
    assert project.autogenerate("create account") is not None
    unreachable = "postgresql+asyncpg://nobody@127.0.0.1:9/nowhere"
    result = project.alembic("upgrade", "head", "--sql", env={"DATABASE_URL": unreachable})
    assert "CREATE TABLE account" in result.stdout
    assert "account" not in sqlite_database.table_names()
