"""``lback-migrations``: Alembic's command line plus makemigrations, migrate, rollback and
``--events FILE``."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path

from tests.databases import Database
from tests.models import ACCOUNT_MODELS, TARGET_BASE_METADATA
from tests.projects import AlembicProject, command_path


def test_help_lists_alembic_commands_and_ours(tmp_path: Path, sqlite_database: Database) -> None:
    project = AlembicProject.create(tmp_path / "project", sqlite_database, models=ACCOUNT_MODELS)
    text = project.lback("--help").stdout
    for name in ("upgrade", "downgrade", "check", "makemigrations", "migrate", "rollback", "ci"):
        assert name in text


def test_version_names_this_package_and_alembic() -> None:
    import alembic

    import lback_migrations

    result = subprocess.run(
        [command_path("lback-migrations"), "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == (
        f"lback-migrations {lback_migrations.__version__} (alembic {alembic.__version__})"
    )


def test_makemigrations_migrate_rollback_write_every_signal_to_the_events_file(
    tmp_path: Path, database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project", database, models=ACCOUNT_MODELS, options=TARGET_BASE_METADATA
    )
    events = tmp_path / "events.jsonl"
    project.lback("--events", str(events), "makemigrations", "-m", "create account")
    (revision,) = project.revision_files()
    project.lback("--events", str(events), "migrate")
    assert "account" in database.table_names()
    project.lback("--events", str(events), "rollback")
    assert "account" not in database.table_names()

    records = [json.loads(line) for line in events.read_text().splitlines()]
    names = [record["signal"] for record in records]
    assert names.count("migration_commands_initialized") == 3
    written = next(r for r in records if r["signal"] == "migration_revision_written")
    assert written["kwargs"]["message"] == "create account"
    assert written["kwargs"]["path"].endswith(revision.name)
    steps = [r["kwargs"] for r in records if r["signal"] == "migration_step_completed"]
    assert [step["direction"] for step in steps] == ["upgrade", "downgrade"]
    assert all(r["sender"] == "MigrationCommands" for r in records)
    started = [r["kwargs"] for r in records if r["signal"] == "alembic_command_started"]
    assert [(s["command"], s["args"]) for s in started] == [
        ("revision", ["--autogenerate", "-m", "create account"]),
        ("upgrade", ["head"]),
        ("downgrade", ["-1"]),
    ]


def test_a_stock_alembic_command_run_through_lback_migrations_records_its_steps(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project", sqlite_database, models=ACCOUNT_MODELS, options=TARGET_BASE_METADATA
    )
    project.autogenerate("create account")
    events = tmp_path / "events.jsonl"
    project.lback("--events", str(events), "upgrade", "head")
    records = [json.loads(line) for line in events.read_text().splitlines()]
    assert [r["signal"] for r in records] == ["migration_lock_acquired", "migration_step_completed"]
    assert all(record["sender"] is None for record in records)


def test_migrate_on_a_terminal_prints_a_progress_line_per_step(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project", sqlite_database, models=ACCOUNT_MODELS, options=TARGET_BASE_METADATA
    )
    project.autogenerate("create account")
    (revision,) = project.revision_files()
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [command_path("lback-migrations"), "migrate"],
        cwd=project.root,
        stdout=secondary,
        stderr=subprocess.PIPE,
    )
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=120) == 0
    os.close(primary)
    revision_id = revision.name.split("_")[0]
    assert f"upgrade {revision_id} (" in output.decode()


def test_migrate_and_rollback_off_a_terminal_show_alembics_progress_lines(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project", sqlite_database, models=ACCOUNT_MODELS, options=TARGET_BASE_METADATA
    )
    project.lback("makemigrations", "-m", "create account")
    (revision,) = project.revision_files()
    revision_id = revision.name.split("_")[0]

    migrated = project.lback("migrate")
    assert f"Running upgrade  -> {revision_id}, create account" in migrated.stderr
    rolled = project.lback("rollback")
    assert f"Running downgrade {revision_id} -> , create account" in rolled.stderr
    assert "account" not in sqlite_database.table_names()


def test_makemigrations_off_a_terminal_shows_what_it_detected_and_wrote(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project", sqlite_database, models=ACCOUNT_MODELS, options=TARGET_BASE_METADATA
    )
    done = project.lback("makemigrations", "-m", "create account")
    (revision,) = project.revision_files()
    assert "Detected added table 'account'" in done.stderr
    assert f"Generating {revision}" in done.stdout
