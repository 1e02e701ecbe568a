"""MigrationCommands runs real Alembic on every backend, through both runners, and reports it
with the seed's signals, payloads and results."""

from __future__ import annotations

import itertools
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from lback_migrations import signals
from lback_migrations.commands import CommandResult, MigrationCommands
from lback_migrations.events_log import recording
from tests.databases import Database
from tests.migration_commands import (
    RUNNERS,
    SEED_KWARGS,
    Recorder,
    assert_ok,
    forget_app_modules,
    initialised,
    new_project,
    point_at,
)
from tests.projects import AlembicProject

pytestmark = pytest.mark.usefixtures("forget_project_modules")


def applied_versions(database: Database) -> list[str]:
    """The revisions in the version table (none when the table does not exist)."""
    if "alembic_version" not in database.table_names():
        return []
    with database.connect() as connection:
        rows = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    return [row[0] for row in rows]


def write_revision(project: AlembicProject, revision: str, upgrade: str) -> None:
    """A hand-written revision whose ``upgrade()`` body is ``upgrade``."""
    body = textwrap.indent(textwrap.dedent(upgrade).strip(), "    ")
    source = (
        f'"""{revision}"""\n'
        "import time\n\nimport sqlalchemy as sa\nfrom alembic import context, op\n\n"
        f"revision = {revision!r}\ndown_revision = None\nbranch_labels = None\n"
        "depends_on = None\n\n\n"
        f"def upgrade() -> None:\n{body}\n\n\ndef downgrade() -> None:\n    pass\n"
    )
    (project.versions / f"{revision}_hand_written.py").write_text(source)


LIFECYCLE = [
    "migration_commands_initialized",
    *["alembic_command_started", "alembic_command_completed"],
    "migration_makemigrations_command",
    "alembic_command_started",
    *["migration_hook_started", "migration_hook_completed"] * 2,
    *["migration_revision_written", "alembic_command_completed"],
    "migration_migrate_command",
    *["alembic_command_started", "migration_lock_acquired", "migration_step_completed"],
    "alembic_command_completed",
    "migration_history_command",
    *["alembic_command_started", "alembic_command_completed"],
    *["alembic_command_started", "migration_check_completed", "alembic_command_completed"],
    "migration_rollback_command",
    *["alembic_command_started", "migration_lock_acquired", "migration_step_completed"],
    "alembic_command_completed",
]


@pytest.mark.parametrize("runner", RUNNERS)
def test_lifecycle_sends_every_documented_signal_in_order_with_the_seed_arguments(
    tmp_path: Path, database: Database, runner: str
) -> None:
    recorder = Recorder()
    with recorder.connected():
        project, commands = new_project(tmp_path / "project", database, runner)
        init = commands.init()
        assert_ok(init)
        point_at(project, database.url_string)
        made = commands.makemigrations("create account")
        migrated = commands.migrate()
        history = commands.history()
        checked = commands.check()
        assert "account" in database.table_names()
        rolled = commands.rollback()
    for result in (made, migrated, history, checked, rolled):
        assert_ok(result)
    assert "account" not in database.table_names()

    assert all(sender is commands for _, sender, _ in recorder.received)
    assert recorder.names() == LIFECYCLE
    for name, _, kwargs in recorder.received:
        assert set(kwargs) == SEED_KWARGS[name], name

    started = recorder.of("alembic_command_started")
    assert [(item["command"], item["args"]) for item in started] == [
        ("init", ("-t", "lback", "migrations")),
        ("revision", ("--autogenerate", "-m", "create account")),
        ("upgrade", ("head",)),
        ("history", ()),
        ("check", ()),
        ("downgrade", ("-1",)),
    ]
    program = (
        [sys.executable, "-m", "lback_migrations"]
        if runner == "subprocess"
        else ["lback-migrations"]
    )
    for item in started:
        assert item["full_command"] == [
            *program,
            "-c",
            "alembic.ini",
            item["command"],
            *item["args"],
        ]
    for item in recorder.of("alembic_command_completed"):
        assert item["returncode"] == 0
        assert isinstance(item["stdout"], str)
        assert isinstance(item["stderr"], str)
    assert recorder.of("migration_makemigrations_command") == [{"message": "create account"}]
    assert recorder.of("migration_migrate_command") == [{"version": "head"}]
    assert recorder.of("migration_rollback_command") == [{"version": "-1"}]

    (revision,) = made.revisions
    (written,) = recorder.of("migration_revision_written")
    assert written["revision"] == revision
    assert Path(written["path"]).is_file()
    assert written["message"] == "create account"
    assert written["down_revision"] is None
    assert written["autogenerate"] is True
    assert written["operations"] == ["add_table account"]
    upgrade, downgrade = recorder.of("migration_step_completed")
    assert (upgrade["revision"], upgrade["direction"]) == (revision, "upgrade")
    assert (downgrade["revision"], downgrade["direction"]) == (revision, "downgrade")
    assert upgrade["duration"] >= 0
    assert recorder.of("migration_check_completed") == [{"diffs_found": False, "diffs": []}]

    assert migrated.revisions == (revision,)
    assert [(step.revision, step.direction) for step in rolled.steps] == [(revision, "downgrade")]
    assert revision in history.stdout
    assert "No new upgrade operations detected" in checked.stdout
    assert checked.duration > 0


@pytest.mark.parametrize("runner", RUNNERS)
def test_check_reports_the_differences_it_found(
    tmp_path: Path, sqlite_database: Database, runner: str
) -> None:
    _project, commands = initialised(tmp_path / "project", sqlite_database, runner)
    recorder = Recorder()
    with recorder.connected():
        result = commands.check()
    assert not result.success
    assert result.error_type == "non_zero_exit_code"
    assert recorder.of("migration_check_completed") == [
        {"diffs_found": True, "diffs": ["add_table account"]}
    ]
    (failed,) = recorder.of("alembic_command_failed")
    assert failed["command"] == "check"
    assert "New upgrade operations detected" in failed["stdout"]


FAILING_UPGRADE = """
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("SELECT * FROM no_such_table")
"""


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_failing_migration_is_a_failed_result_and_signal(
    tmp_path: Path, database: Database, runner: str
) -> None:
    project, commands = initialised(tmp_path / "project", database, runner)
    write_revision(project, "0001", FAILING_UPGRADE)
    recorder = Recorder()
    with recorder.connected():
        result = commands.migrate()
    assert not result.success
    assert result.error_type == "non_zero_exit_code"
    # the failure report is a command error: Alembic's exit code for one, no traceback
    assert result.returncode == 255
    assert "no_such_table" in result.stdout
    assert "Traceback" not in result.stderr
    assert result.steps == ()
    (failed,) = recorder.of("alembic_command_failed")
    assert set(failed) == SEED_KWARGS["alembic_command_failed"]
    assert failed["error_type"] == "non_zero_exit_code"
    assert failed["returncode"] == 255
    assert (failed["exception"] is not None) == (runner == "inprocess")
    assert recorder.names() == [
        "migration_migrate_command",
        "alembic_command_started",
        "migration_lock_acquired",
        "migration_step_failed",
        "alembic_command_failed",
    ]
    assert applied_versions(database) == []
    if database.backend == "postgresql":
        # transactional DDL: the table created before the error is rolled back with it, and
        # so is the version table
        assert database.table_names() == set()


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_migration_running_past_the_timeout_is_stopped(
    tmp_path: Path, database: Database, runner: str
) -> None:
    project, commands = initialised(tmp_path / "project", database, runner, timeout=4)
    write_revision(
        project,
        "0001",
        """
        op.create_table("slow", sa.Column("id", sa.Integer, primary_key=True))
        time.sleep(60)
        """,
    )
    recorder = Recorder()
    with recorder.connected():
        result = commands.migrate()
    assert result.error_type == "timeout"
    assert result.returncode is None
    assert result.duration < 30
    (failed,) = recorder.of("alembic_command_failed")
    assert failed["error_type"] == "timeout"
    assert failed["returncode"] is None
    if database.backend == "postgresql":
        assert "slow" not in database.table_names()


def write_sleeping_revision(project: AlembicProject, started: Path) -> None:
    """A revision that creates a table, writes its process id to ``started``, then sleeps."""
    partial = started.with_name(started.name + ".partial")
    write_revision(
        project,
        "0001",
        f"""
        op.create_table("slow", sa.Column("id", sa.Integer, primary_key=True))
        import os, pathlib
        pathlib.Path({str(partial)!r}).write_text(str(os.getpid()))
        pathlib.Path({str(partial)!r}).rename({str(started)!r})
        time.sleep(60)
        """,
    )


def interrupt_when_started(started: Path, pid: int | None = None) -> threading.Thread:
    """A running thread that sends SIGINT once ``started`` exists: to ``pid``, or else to the
    process id the migration wrote there."""

    def interrupt() -> None:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert time.monotonic() < deadline, "the migration never started"
            time.sleep(0.05)
        os.kill(pid or int(started.read_text()), signal.SIGINT)

    thread = threading.Thread(target=interrupt)
    thread.start()
    return thread


def test_a_sigint_ending_the_subprocess_child_is_an_interrupted_result(
    tmp_path: Path, database: Database
) -> None:
    project, commands = initialised(tmp_path / "project", database, "subprocess")
    started = tmp_path / "started"
    write_sleeping_revision(project, started)
    recorder = Recorder()
    thread = interrupt_when_started(started)
    with recorder.connected():
        result = commands.migrate()
    thread.join()
    assert int(started.read_text()) != os.getpid()
    assert result.error_type == "interrupted"
    assert result.returncode is None
    assert result.duration < 30
    assert "KeyboardInterrupt" in result.stderr
    (failed,) = recorder.of("alembic_command_failed")
    assert (failed["error_type"], failed["returncode"]) == ("interrupted", None)
    assert applied_versions(database) == []
    if database.backend == "postgresql":
        assert "slow" not in database.table_names()


@pytest.mark.parametrize("runner", RUNNERS)
def test_ctrl_c_during_a_run_sends_the_failure_then_raises_keyboard_interrupt(
    tmp_path: Path, database: Database, runner: str
) -> None:
    project, commands = initialised(tmp_path / "project", database, runner)
    started = tmp_path / "started"
    write_sleeping_revision(project, started)
    recorder = Recorder()
    begun = time.monotonic()
    thread = interrupt_when_started(started, pid=os.getpid())
    with recorder.connected(), pytest.raises(KeyboardInterrupt):
        commands.migrate()
    thread.join()
    assert time.monotonic() - begun < 30
    assert recorder.names()[-1] == "alembic_command_failed"
    (failed,) = recorder.of("alembic_command_failed")
    assert (failed["error_type"], failed["returncode"]) == ("interrupted", None)
    assert isinstance(failed["exception"], KeyboardInterrupt)
    assert applied_versions(database) == []
    if database.backend == "postgresql":
        assert "slow" not in database.table_names()


def _shadowing_alembic(root: Path) -> Path:
    """A directory that, first on PYTHONPATH, hides the real Alembic behind an empty package."""
    shadow = root / "shadow"
    (shadow / "alembic").mkdir(parents=True)
    (shadow / "alembic" / "__init__.py").write_text("")
    return shadow


def test_subprocess_runner_with_an_interpreter_lacking_alembic_reports_alembic_not_found(
    tmp_path: Path, sqlite_database: Database
) -> None:
    venv = tmp_path / "bare-venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = str(venv / "bin" / "python")
    _, commands = new_project(tmp_path / "project", sqlite_database, "subprocess", python=python)
    recorder = Recorder()
    with recorder.connected():
        result = commands.init()
    assert result.error_type == "alembic_not_found"
    assert result.full_command[0] == python
    (failed,) = recorder.of("alembic_command_failed")
    assert failed["error_type"] == "alembic_not_found"
    assert not (tmp_path / "project" / "migrations").exists()


def test_subprocess_runner_with_alembic_shadowed_on_pythonpath_reports_alembic_not_found(
    tmp_path: Path, sqlite_database: Database
) -> None:
    shadow = _shadowing_alembic(tmp_path)
    _, commands = new_project(
        tmp_path / "project",
        sqlite_database,
        "subprocess",
        environment={"PYTHONPATH": str(shadow)},
    )
    result = commands.init()
    assert result.error_type == "alembic_not_found"
    assert "No module named 'alembic." in result.stderr


def test_inprocess_runner_without_importable_alembic_reports_alembic_not_found(
    tmp_path: Path,
) -> None:
    shadow = _shadowing_alembic(tmp_path)
    script = textwrap.dedent(
        """
        import json
        from lback_migrations import signals
        from lback_migrations.commands import MigrationCommands

        failures = []
        with signals.alembic_command_failed.connected_to(
            lambda sender, **kwargs: failures.append(kwargs["error_type"])
        ):
            result = MigrationCommands(runner="inprocess").current()
        print(json.dumps([result.error_type, failures, result.stderr]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(shadow), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    error_type, failures, stderr = json.loads(done.stdout)
    assert error_type == "alembic_not_found"
    assert failures == ["alembic_not_found"]
    assert "alembic" in stderr


def x_options(full_command: list[str]) -> list[str]:
    """The ``-x`` values of a command line."""
    return [value for option, value in itertools.pairwise(full_command) if option == "-x"]


@pytest.mark.parametrize("runner", RUNNERS)
def test_makemigrations_passes_its_x_arguments_to_the_run_and_leaves_the_instances_alone(
    tmp_path: Path, sqlite_database: Database, runner: str
) -> None:
    _project, commands = initialised(
        tmp_path / "project", sqlite_database, runner, x_arguments=("owner=ci",)
    )
    seen: list[tuple[tuple[str, ...], list[str]]] = []

    def started(sender: MigrationCommands, **kwargs: Any) -> None:
        seen.append((sender.x_arguments, x_options(kwargs["full_command"])))

    with signals.alembic_command_started.connected_to(started, sender=commands):
        assert_ok(commands.makemigrations("create account", noinput=True))

    assert seen == [(("owner=ci",), ["owner=ci", "noinput=true"])]
    assert commands.x_arguments == ("owner=ci",)


def test_a_command_run_by_another_thread_during_makemigrations_gets_only_the_instances_x_arguments(
    tmp_path: Path, sqlite_database: Database
) -> None:
    _project, commands = initialised(
        tmp_path / "project", sqlite_database, "subprocess", x_arguments=("owner=ci",)
    )
    options: dict[str, list[str]] = {}
    results: list[CommandResult] = []

    def started(sender: MigrationCommands, **kwargs: Any) -> None:
        options[kwargs["command"]] = x_options(kwargs["full_command"])
        if kwargs["command"] == "revision":
            # while this thread's revision command is under way, another one uses the instance
            other = threading.Thread(target=lambda: results.append(commands.heads()))
            other.start()
            other.join()

    with signals.alembic_command_started.connected_to(started, sender=commands):
        made = threading.Thread(
            target=lambda: results.append(commands.makemigrations("create account", noinput=True))
        )
        made.start()
        made.join()

    for result in results:
        assert_ok(result)
    assert options == {"revision": ["owner=ci", "noinput=true"], "heads": ["owner=ci"]}


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_receiver_that_raises_is_logged_and_the_migration_still_runs(
    tmp_path: Path, sqlite_database: Database, runner: str, caplog: pytest.LogCaptureFixture
) -> None:
    _project, commands = initialised(tmp_path / "project", sqlite_database, runner)
    assert_ok(commands.makemigrations("create account"))

    def broken(sender: object, **kwargs: Any) -> None:
        raise RuntimeError("monitoring is down")

    caplog.set_level(logging.ERROR, logger="lback_migrations.signals")
    with (
        signals.alembic_command_started.connected_to(broken, sender=commands),
        signals.migration_step_completed.connected_to(broken, sender=commands),
        signals.alembic_command_completed.connected_to(broken, sender=commands),
    ):
        result = commands.migrate()
    assert_ok(result)
    assert len(result.steps) == 1
    assert "account" in sqlite_database.table_names()
    ignored = [record for record in caplog.records if "raised; ignored" in record.getMessage()]
    assert len(ignored) == 1
    assert "RuntimeError: monitoring is down" in ignored[0].getMessage()


PASSWORD = "Very-s3cret-pa55word"


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_database_password_appears_in_no_signal_result_log_or_event_line(
    tmp_path: Path,
    postgresql_database: Database,
    runner: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The server trusts local connections, so any password is accepted: enough to prove that
    # the one in the URL is never shown.
    url = postgresql_database.url.set(password=PASSWORD).render_as_string(hide_password=False)
    assert PASSWORD in url
    caplog.set_level(logging.DEBUG)
    events = tmp_path / "events.jsonl"
    recorder = Recorder()
    with recorder.connected(), recording(events):
        project, commands = new_project(
            tmp_path / "project",
            postgresql_database,
            runner,
            environment={"DATABASE_URL": url},
        )
        results = [commands.init()]
        point_at(project, url)
        results.append(commands.makemigrations("create account"))
        results.append(commands.migrate())
        write_revision(
            project,
            "0002",
            """
            raise RuntimeError("cannot reach " + context.config.get_main_option("sqlalchemy.url"))
            """,
        )
        (project.versions / "0002_hand_written.py").write_text(
            (project.versions / "0002_hand_written.py")
            .read_text()
            .replace("down_revision = None", f"down_revision = {results[1].revisions[0]!r}")
        )
        failing = commands.migrate()
        results.append(failing)
        results.append(commands.run("upgrade", "-x", f"url={url}", "head"))
    assert all(result.success for result in results[:3])
    assert not failing.success
    assert "cannot reach postgresql+psycopg://postgres:***@" in failing.stdout
    assert "account" in postgresql_database.table_names()
    everything = [
        repr(recorder.received),
        repr(results),
        caplog.text,
        events.read_text(),
        str(failing.exception),
    ]
    for text in everything:
        assert PASSWORD not in text


def test_inprocess_runner_leaves_the_callers_logging_as_it_was(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project, commands = initialised(tmp_path / "project", sqlite_database, "inprocess")
    assert_ok(commands.makemigrations("create account"))
    # pytest gives the root logger handlers of its own: a fresh interpreter has none
    script = textwrap.dedent(
        """
        import json, logging
        from lback_migrations.commands import MigrationCommands

        result = MigrationCommands(runner="inprocess").migrate()
        print(json.dumps([
            result.success,
            len(logging.getLogger().handlers),
            logging.getLogger("alembic").level,
            result.stderr,
        ]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    success, root_handlers, alembic_level, captured = json.loads(done.stdout)
    assert success
    assert "account" in sqlite_database.table_names()
    assert (root_handlers, alembic_level) == (0, logging.NOTSET)
    assert "Running upgrade" not in done.stderr + captured


def test_the_inprocess_runner_imports_each_projects_own_models_and_restores_sys_path(
    tmp_path: Path,
) -> None:
    path_before = list(sys.path)
    for name in ("first", "second"):
        database = Database("sqlite", sa.make_url(f"sqlite:///{tmp_path / name}.db"))
        project, commands = initialised(tmp_path / name, database, "inprocess")
        assert_ok(commands.makemigrations("create account"))
        assert_ok(commands.migrate())
        project.write_models(
            (project.root / "app" / "models.py").read_text()
            + "\n\nclass Extra(Base):\n"
            + "    __tablename__ = 'extra'\n"
            + "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        )
        forget_app_modules()
        result = commands.check()
        assert not result.success, f"{name}: the check did not see its own new model"
        assert "add_table" in result.stdout + result.stderr
        assert sys.path == path_before
