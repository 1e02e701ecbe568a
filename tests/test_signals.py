"""The signals module: blinker's default namespace, safe sending, JSON lines, and the same run
signals from both runners."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import blinker
import pytest

from lback_migrations import signals
from lback_migrations.events_log import JsonLinesWriter
from lback_migrations.signal_forwarding import parse_line
from tests.databases import Database
from tests.migration_commands import (
    SEED_KWARGS,
    Recorder,
    assert_ok,
    forget_app_modules,
    initialised,
)
from tests.models import account_column

pytestmark = pytest.mark.usefixtures("forget_project_modules")

SEED_NAMES = [
    "migration_commands_initialized",
    "alembic_command_started",
    "alembic_command_completed",
    "alembic_command_failed",
    "migration_makemigrations_command",
    "migration_migrate_command",
    "migration_rollback_command",
    "migration_history_command",
]


def test_every_signal_is_the_object_of_blinkers_default_namespace() -> None:
    for named in signals.ALL_SIGNALS:
        assert blinker.signal(named.name) is named
        assert getattr(signals, named.name) is named
    assert [named.name for named in signals.COMMAND_SIGNALS] == SEED_NAMES
    assert {named.name for named in signals.ALL_SIGNALS} == set(SEED_KWARGS)


def test_a_raising_receiver_is_logged_and_the_others_still_receive(
    caplog: pytest.LogCaptureFixture,
) -> None:
    received: list[dict[str, Any]] = []

    def broken(sender: object, **kwargs: Any) -> None:
        raise ValueError("receiver bug")

    def working(sender: object, **kwargs: Any) -> None:
        received.append(kwargs)

    with (
        signals.migration_step_completed.connected_to(broken),
        signals.migration_step_completed.connected_to(working),
        caplog.at_level(logging.ERROR),
    ):
        signals.send(
            signals.migration_step_completed, None, revision="a", direction="upgrade", duration=1.0
        )
    assert received == [{"revision": "a", "direction": "upgrade", "duration": 1.0}]
    assert "receiver bug" in caplog.text


def test_json_lines_writer_writes_one_parsable_line_per_signal() -> None:
    stream = io.StringIO()
    with JsonLinesWriter(stream).connected():
        signals.send(signals.migration_migrate_command, "sender", version="head")
        signals.send(
            signals.alembic_command_failed,
            None,
            command="upgrade",
            args=("head",),
            returncode=None,
            stdout="",
            stderr="",
            error_type="timeout",
            exception=TimeoutError("too slow"),
        )
    signals.send(signals.migration_migrate_command, None, version="after")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["signal"] == "migration_migrate_command"
    assert first["sender"] == "str"
    assert first["kwargs"] == {"version": "head"}
    named, kwargs = parse_line(lines[1])
    assert named is signals.alembic_command_failed
    assert kwargs["args"] == ["head"]
    assert kwargs["exception"] == {"type": "TimeoutError", "message": "too slow"}
    assert second["sender"] is None


def _run_signals(tmp_path: Path, database: Database, runner: str) -> list[tuple[str, Any]]:
    root = tmp_path / runner
    project, commands = initialised(root, database, runner)
    recorder = Recorder()
    with recorder.connected():
        assert_ok(
            commands.run("revision", "--autogenerate", "-m", "create account", "--rev-id", "0001")
        )
        assert_ok(commands.migrate())
        project.write_models(account_column("email: Mapped[str] = mapped_column(String(200))"))
        # an in-process run sees the models this process imported: forget the old ones
        forget_app_modules()
        commands.check()
    run_names = {named.name for named in signals.RUN_SIGNALS}
    normalised = []
    for name, sender, kwargs in recorder.received:
        if name not in run_names:
            continue
        assert sender is commands
        payload = dict(kwargs)
        if "duration" in payload:
            assert isinstance(payload.pop("duration"), float)
        if "path" in payload:
            payload["path"] = str(Path(payload["path"]).relative_to(root))
        if "waited" in payload:
            assert isinstance(payload.pop("waited"), float)
        for key in ("lock", "target"):
            if key in payload:
                payload[key] = payload[key].replace(str(database.url.database), "DATABASE")
        normalised.append((name, payload))
    return normalised


def test_both_runners_send_the_same_run_signals_with_the_same_payloads(
    tmp_path: Path, sqlite_database: Database
) -> None:
    subprocess_signals = _run_signals(tmp_path, sqlite_database, "subprocess")
    sqlite_database_again = Database(
        "sqlite", sqlite_database.url.set(database=str(tmp_path / "second.db"))
    )
    inprocess_signals = _run_signals(tmp_path, sqlite_database_again, "inprocess")
    assert subprocess_signals == inprocess_signals
    path = "migrations/versions/0001_create_account.py"
    assert [name for name, _ in inprocess_signals] == [
        "migration_hook_started",
        "migration_hook_completed",
        "migration_hook_started",
        "migration_hook_completed",
        "migration_revision_written",
        "migration_lock_acquired",
        "migration_step_completed",
        "migration_check_completed",
    ]
    assert inprocess_signals[0][1] == {
        "hook": "lback_format",
        "hook_type": "lback_format",
        "path": path,
    }
    assert inprocess_signals[3][1]["hook_type"] == "lback_lint"
    assert inprocess_signals[4][1] == {
        "revision": "0001",
        "path": path,
        "message": "create account",
        "down_revision": None,
        "autogenerate": True,
        "operations": ["add_table account"],
    }
    assert inprocess_signals[-1][1] == {"diffs_found": True, "diffs": ["add_column account.email"]}
