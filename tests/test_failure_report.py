"""When a revision fails or a deploy is cancelled, the report says which revision and
statement, what had run, whether it was rolled back, and what the version table says."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from lback_migrations.failure_report import committed_without_transaction, masked_sql
from tests.databases import Database
from tests.projects import AlembicProject, command_path

RUN_TIMEOUT = 90

THIRD_STATEMENT_FAILS = """
op.create_table("first_t", sa.Column("id", sa.Integer, primary_key=True))
op.create_table("second_t", sa.Column("id", sa.Integer, primary_key=True))
op.create_table("first_t", sa.Column("id", sa.Integer, primary_key=True))
"""


def failing_project(root: Path, database: Database) -> AlembicProject:
    project = AlembicProject.create(root, database)
    project.write_revision("r1", 'op.create_table("base_t", sa.Column("id", sa.Integer))')
    project.write_revision(
        "r2",
        THIRD_STATEMENT_FAILS,
        down_revision="r1",
        downgrade='op.drop_table("second_t")\nop.drop_table("first_t")',
    )
    return project


def failure_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("FAILED"))
    return lines[start:]


def test_on_mariadb_the_report_lists_the_two_statements_that_stay_applied(
    mariadb_database: Database, tmp_path: Path
) -> None:
    project = failing_project(tmp_path / "project", mariadb_database)

    result = project.lback("migrate", check=False)

    assert result.returncode != 0
    report = "\n".join(failure_lines(result))
    assert "revision r2 (upgrade) failed" in report
    assert "failing statement: CREATE TABLE first_t" in report
    assert "NOT rolled back" in report
    applied = report.split("stay applied")[1].split("the downgrade")[0]
    assert applied.count("CREATE TABLE") == 2
    assert "first_t" in applied
    assert "second_t" in applied
    assert "DROP TABLE second_t" in report
    assert "now says: r1" in report
    assert {"first_t", "second_t"} <= mariadb_database.table_names()


def test_on_postgresql_nothing_of_the_failed_revision_stays_and_the_version_is_unchanged(
    postgresql_database: Database, tmp_path: Path
) -> None:
    project = failing_project(tmp_path / "project", postgresql_database)
    project.lback("migrate", "r1")

    result = project.lback("migrate", check=False)

    assert result.returncode != 0
    report = "\n".join(failure_lines(result))
    assert "revision r2 (upgrade) failed" in report
    assert "DuplicateTable" in report
    assert "statements of this revision that had run (rolled back)" in report
    assert "stay applied" not in report
    assert "now says: r1" in report
    assert postgresql_database.table_names() == {
        "alembic_version",
        "alembic_version_checksums",
        "base_t",
    }


def test_on_sqlite_the_failed_revision_is_rolled_back_whole(
    sqlite_database: Database, tmp_path: Path
) -> None:
    project = failing_project(tmp_path / "project", sqlite_database)

    result = project.lback("migrate", check=False)

    report = "\n".join(failure_lines(result))
    assert "revision r2 (upgrade) failed" in report
    assert "(rolled back)" in report
    assert "now says: r1" in report
    assert sqlite_database.table_names() == {
        "alembic_version",
        "alembic_version_checksums",
        "base_t",
    }


def test_revisions_reported_done_in_the_same_transaction_are_named_as_rolled_back(
    postgresql_database: Database, tmp_path: Path
) -> None:
    project = failing_project(tmp_path / "project", postgresql_database)

    result = project.lback("migrate", check=False)

    report = "\n".join(failure_lines(result))
    assert "rolled back with it (reported done earlier in this run): r1" in report
    assert "now says: nothing (the table does not exist)" in report


def test_the_stock_alembic_command_prints_the_same_report_without_a_traceback(
    database: Database, tmp_path: Path
) -> None:
    project = failing_project(tmp_path / "project", database)

    result = project.alembic("upgrade", "head", check=False)

    assert result.returncode != 0
    assert "revision r2 (upgrade) failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_migration_step_failed_carries_the_report_as_json(
    database: Database, tmp_path: Path
) -> None:
    project = failing_project(tmp_path / "project", database)
    events = tmp_path / "events.jsonl"

    project.lback("--events", str(events), "migrate", check=False)

    records = [json.loads(line) for line in events.read_text().splitlines()]
    failed = [record["kwargs"] for record in records if record["signal"] == "migration_step_failed"]
    assert len(failed) == 1
    payload = failed[0]
    assert payload["revision"] == "r2"
    assert payload["direction"] == "upgrade"
    assert payload["statement"].startswith("CREATE TABLE first_t")
    assert len(payload["statements_run"]) == 2
    assert payload["rolled_back"] is (database.backend != "mariadb")
    assert len(payload["statements_applied"]) == (2 if database.backend == "mariadb" else 0)
    assert payload["version_table"] == "alembic_version"
    assert payload["target"] == database.url.render_as_string(hide_password=True)
    completed = [
        r["kwargs"]["revision"] for r in records if r["signal"] == "migration_step_completed"
    ]
    assert completed == ["r1"]


def slow_revision_project(root: Path, database: Database) -> AlembicProject:
    sleep = "SELECT pg_sleep(60)" if database.backend == "postgresql" else "SELECT SLEEP(60)"
    project = AlembicProject.create(root, database)
    project.write_revision(
        "r1",
        f"""
        op.create_table("slow_t", sa.Column("id", sa.Integer, primary_key=True))
        op.execute({sleep!r})
        """,
    )
    return project


def server_runs_sleep(database: Database) -> bool:
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%%' "
        "AND datname = current_database()"
        if database.backend == "postgresql"
        else "SELECT count(*) FROM information_schema.PROCESSLIST "
        "WHERE INFO LIKE 'SELECT SLEEP(60)%%' AND DB = DATABASE()"
    )
    with database.connect() as connection:
        return bool(connection.scalar(sa.text(query.replace("%%", "%"))))


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])
def test_a_cancelled_deploy_cancels_the_statement_on_the_server_and_reports(
    backend: str, stop: signal.Signals, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    database: Database = request.getfixturevalue(f"{backend}_database")
    project = slow_revision_project(tmp_path / "project", database)
    process = subprocess.Popen(
        [command_path("lback-migrations"), "migrate"],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not server_runs_sleep(database):
            assert time.monotonic() < deadline, "the slow statement never started"
            time.sleep(0.2)
        process.send_signal(stop)
        _, report = process.communicate(timeout=RUN_TIMEOUT)
    finally:
        process.kill()

    assert process.returncode != 0
    assert not server_runs_sleep(database)
    assert "Traceback" not in report
    assert "revision r1 (upgrade) interrupted on " in report
    assert f"stopped by {stop.name}" in report
    if backend == "mariadb":
        assert "stay applied" in report
        assert "CREATE TABLE slow_t" in report.split("stay applied")[1]
        assert "slow_t" in database.table_names()
    else:
        assert "slow_t" not in database.table_names()
        assert "stay applied" not in report


def test_literals_are_masked_in_reported_statements() -> None:
    assert masked_sql("UPDATE account SET token = 'it''s secret'\n WHERE id = 1") == (
        "UPDATE account SET token = '***' WHERE id = 1"
    )


def test_on_mariadb_data_changes_after_the_last_ddl_are_rolled_back() -> None:
    statements = ["CREATE TABLE a (id INT)", "INSERT INTO a VALUES (1)", "ALTER TABLE a ADD b INT"]
    statements.append("UPDATE a SET b = 2")

    assert committed_without_transaction(statements) == statements[:3]
