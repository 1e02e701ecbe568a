"""A receiver that raises is logged once per receiver and run; its traceback only on request."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from lback_migrations import signals
from tests.databases import Database
from tests.migration_commands import RUNNERS, assert_ok, initialised

pytestmark = pytest.mark.usefixtures("forget_project_modules")


def broken(sender: object, **kwargs: Any) -> None:
    raise RuntimeError("monitoring is down")


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if "raised; ignored" in record.getMessage()]


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_receiver_failing_on_every_signal_is_logged_once_per_run(
    tmp_path: Path, sqlite_database: Database, runner: str, caplog: pytest.LogCaptureFixture
) -> None:
    _project, commands = initialised(tmp_path / "project", sqlite_database, runner)
    assert_ok(commands.makemigrations("create account"))
    caplog.set_level(logging.ERROR, logger="lback_migrations.signals")
    with (
        signals.alembic_command_started.connected_to(broken, sender=commands),
        signals.migration_step_completed.connected_to(broken, sender=commands),
        signals.alembic_command_completed.connected_to(broken, sender=commands),
    ):
        assert_ok(commands.migrate())
        assert len(failures(caplog)) == 1
        assert_ok(commands.rollback("base"))
    assert len(failures(caplog)) == 2
    assert not any(record.exc_info for record in failures(caplog))


def test_the_traceback_is_logged_when_debug_is_on(
    tmp_path: Path, sqlite_database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    _project, commands = initialised(tmp_path / "project", sqlite_database, "inprocess")
    caplog.set_level(logging.DEBUG, logger="lback_migrations.signals")
    with signals.alembic_command_started.connected_to(broken, sender=commands):
        assert_ok(commands.history())
    (record,) = failures(caplog)
    assert record.exc_info
