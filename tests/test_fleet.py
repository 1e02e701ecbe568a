"""``migrate --targets``: many SQLite databases and PostgreSQL schemas migrated together,
sharded by an orchestrator, one failure never stopping the others, and a second run touching
only what is not at head."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from lback_migrations.errors import ConfigurationError
from lback_migrations.fleet import Target, parse_shard, read_targets, shard
from tests.databases import Database
from tests.projects import AlembicProject

SQLITE_TARGETS = 10
TENANTS = 5


def fleet_project(root: Path, database: Database) -> AlembicProject:
    project = AlembicProject.create(root, database)
    project.write_revision(
        "r1", 'op.create_table("account", sa.Column("id", sa.Integer, primary_key=True))'
    )
    project.write_revision(
        "r2", 'op.add_column("account", sa.Column("email", sa.String(80)))', down_revision="r1"
    )
    return project


def fleet_targets(root: Path, tenants: Database) -> tuple[Path, list[str]]:
    """10 SQLite databases, 5 schemas of one PostgreSQL database, and one target that fails
    (a schema that does not exist)."""
    with tenants.connect() as connection:
        for number in range(TENANTS):
            connection.execute(sa.text(f"CREATE SCHEMA tenant_{number}"))
    lines = [f"sqlite:///{root / f'db_{number}.db'}" for number in range(SQLITE_TARGETS)]
    lines += [f"{tenants.url_string}#tenant_{number}" for number in range(TENANTS)]
    lines.append(f"{tenants.url_string}#missing_schema")
    path = root / "targets.txt"
    path.write_text("# the fleet\n" + "\n".join(lines) + "\n")
    return path, lines


def shown(line: str) -> str:
    url, _, schema = line.partition("#")
    return Target(url, schema or None).shown


def rows_of(output: str, status: str) -> list[str]:
    rows = [re.split(r"\s{2,}", line, maxsplit=1) for line in output.splitlines()]
    return [row[0] for row in rows if len(row) == 2 and row[1].startswith(status)]


def test_two_shards_migrate_every_target_exactly_once_and_one_failure_stops_nothing(
    postgresql_database: Database, tmp_path: Path
) -> None:
    project = fleet_project(tmp_path / "project", postgresql_database)
    targets, lines = fleet_targets(tmp_path, postgresql_database)

    first = project.lback("migrate", "--targets", str(targets), "--shard", "0/2", check=False)
    second = project.lback("migrate", "--targets", str(targets), "--shard", "1/2", check=False)

    outputs = first.stdout + second.stdout
    applied = rows_of(outputs, "applied (2 revisions)")
    failed = rows_of(outputs, "failed")
    assert len(applied) == SQLITE_TARGETS + TENANTS
    assert len(failed) == 1
    assert "missing_schema" in failed[0]
    assert sorted(applied + failed) == sorted(map(shown, lines))
    assert {first.returncode, second.returncode} == {0, 1}
    for number in range(TENANTS):
        assert postgresql_database.table_names(schema=f"tenant_{number}") == {
            "account",
            "alembic_version",
            "alembic_version_checksums",
        }
    assert "account" not in postgresql_database.table_names()


def test_a_second_fleet_run_touches_only_targets_not_at_head(
    postgresql_database: Database, tmp_path: Path
) -> None:
    project = fleet_project(tmp_path / "project", postgresql_database)
    targets, _ = fleet_targets(tmp_path, postgresql_database)
    project.lback("migrate", "--targets", str(targets), "--jobs", "4", check=False)

    again = project.lback("migrate", "--targets", str(targets), check=False)

    assert len(rows_of(again.stdout, "already at head")) == SQLITE_TARGETS + TENANTS
    assert len(rows_of(again.stdout, "failed")) == 1
    assert again.stdout.splitlines()[-1] == (
        f"{SQLITE_TARGETS + TENANTS + 1} targets: 0 applied, "
        f"{SQLITE_TARGETS + TENANTS} already at head, 1 failed"
    )
    assert again.returncode == 1


def test_shard_auto_reads_a_kubernetes_indexed_jobs_index(
    sqlite_database: Database, tmp_path: Path
) -> None:
    project = fleet_project(tmp_path / "project", sqlite_database)
    targets = tmp_path / "targets.txt"
    targets.write_text("".join(f"sqlite:///{tmp_path / f'db_{n}.db'}\n" for n in range(4)))

    result = project.lback(
        "migrate",
        "--targets",
        str(targets),
        "--shard",
        "auto",
        "--shard-count",
        "2",
        env={"JOB_COMPLETION_INDEX": "1"},
    )

    migrated = rows_of(result.stdout, "applied")
    assert migrated == [f"sqlite:///{tmp_path / 'db_1.db'}", f"sqlite:///{tmp_path / 'db_3.db'}"]


def test_shards_partition_the_targets() -> None:
    targets = [Target(f"sqlite:///db_{n}.db") for n in range(7)]

    parts = [shard(targets, index, 3) for index in range(3)]

    assert sorted(t.url for part in parts for t in part) == sorted(t.url for t in targets)
    assert [len(part) for part in parts] == [3, 2, 2]


@pytest.mark.parametrize("text", ["2/2", "1", "a/b", "-1/2"])
def test_a_shard_that_cannot_be_read_names_the_option(text: str) -> None:
    with pytest.raises(ConfigurationError, match="--shard"):
        parse_shard(text, None, {})


def test_shard_auto_without_an_index_says_which_variables_to_set() -> None:
    with pytest.raises(ConfigurationError, match="JOB_COMPLETION_INDEX"):
        parse_shard("auto", 2, {})


def test_a_targets_line_that_is_not_a_url_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "targets.txt"
    path.write_text("sqlite:///a.db\nnot a url\n")

    with pytest.raises(ConfigurationError, match="line 2 is not a database URL"):
        read_targets(path)
