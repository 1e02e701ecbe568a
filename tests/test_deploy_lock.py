"""Two deploys started together: the deploy lock makes the second wait, then find the work
done; without it, the loser says in one line that another run got there first."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.databases import Database
from tests.projects import AlembicProject, command_path

SLOW_SECONDS = 4
RUN_TIMEOUT = 90


def slow_project(root: Path, database: Database, **options: str) -> AlembicProject:
    """Two revisions; the first takes a few seconds and writes a line to ``ran.log`` each time
    its body runs."""
    project = AlembicProject.create(root, database, options=options)
    project.write_revision(
        "r1",
        f"""
        import time
        with open({str(root / "ran.log")!r}, "a") as log:
            log.write("r1\\n")
        time.sleep({SLOW_SECONDS})
        op.create_table("slow_t", sa.Column("id", sa.Integer, primary_key=True))
        """,
    )
    project.write_revision(
        "r2",
        f"""
        with open({str(root / "ran.log")!r}, "a") as log:
            log.write("r2\\n")
        op.add_column("slow_t", sa.Column("name", sa.String(20)))
        """,
        down_revision="r1",
    )
    return project


def migrate_twice_at_once(project: AlembicProject) -> list[subprocess.CompletedProcess[str]]:
    """Start two ``lback-migrations migrate`` processes together and wait for both."""
    argv = [command_path("lback-migrations"), "migrate"]
    processes = [
        subprocess.Popen(
            argv, cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    finished = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
        finished.append(subprocess.CompletedProcess(argv, process.returncode, stdout, stderr))
    return finished


def test_a_second_migrate_waits_for_the_first_and_applies_nothing_twice(
    database: Database, tmp_path: Path
) -> None:
    project = slow_project(tmp_path / "project", database)

    runs = migrate_twice_at_once(project)

    assert [run.returncode for run in runs] == [0, 0], [run.stdout + run.stderr for run in runs]
    waiting = [run for run in runs if "waiting for the deploy lock" in run.stderr]
    assert len(waiting) == 1, [run.stderr for run in runs]
    assert (tmp_path / "project" / "ran.log").read_text().split() == ["r1", "r2"]
    assert project.version_table() == {"r2"}


def test_the_waiting_run_names_the_holder_on_postgresql(
    postgresql_database: Database, tmp_path: Path
) -> None:
    project = slow_project(tmp_path / "project", postgresql_database)

    runs = migrate_twice_at_once(project)

    message = next(line for run in runs for line in run.stderr.splitlines() if "waiting" in line)
    assert "held by pid " in message
    assert "lback-migrations on " in message
    assert "lback.migration_lock_timeout" in message


def test_a_run_fails_in_one_line_when_the_lock_stays_held_past_its_timeout(
    database: Database, tmp_path: Path
) -> None:
    project = slow_project(tmp_path / "project", database, migration_lock_timeout="1s")

    runs = migrate_twice_at_once(project)

    failed = [run for run in runs if run.returncode != 0]
    assert len(failed) == 1, [run.stdout + run.stderr for run in runs]
    failure = [line for line in failed[0].stdout.splitlines() if line.startswith("FAILED")]
    assert len(failure) == 1
    assert "lback.migration_lock_timeout" in failure[0]
    assert "still held by" in failure[0]
    assert "Traceback" not in failed[0].stderr
    assert project.version_table() == {"r2"}


def test_without_the_lock_the_loser_says_in_one_line_that_another_run_got_there_first(
    postgresql_database: Database, tmp_path: Path
) -> None:
    project = slow_project(tmp_path / "project", postgresql_database, migration_lock="false")

    runs = migrate_twice_at_once(project)

    failed = [run for run in runs if run.returncode != 0]
    assert len(failed) == 1, [run.stdout + run.stderr for run in runs]
    failure = [line for line in failed[0].stdout.splitlines() if line.startswith("FAILED")]
    assert len(failure) == 1
    assert "another run applied the same migrations at the same time" in failure[0]
    assert "UniqueViolation" not in failed[0].stderr
    assert project.version_table() == {"r2"}


def test_migration_lock_false_takes_no_lock_file_on_sqlite(
    sqlite_database: Database, tmp_path: Path
) -> None:
    project = AlembicProject.create(
        tmp_path / "project", sqlite_database, options={"migration_lock": "false"}
    )
    project.write_revision("r1", 'op.create_table("t", sa.Column("id", sa.Integer))')

    project.lback("migrate")

    lock_files = list(Path(str(sqlite_database.url.database)).parent.glob("*.lock"))
    assert lock_files == []
    assert project.version_table() == {"r1"}
