"""Projects driven through the :class:`MigrationCommands` API, and a recorder of the signals
it sends, for the tests of the commands, the signals and their receivers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from blinker import ANY

from lback_migrations import signals
from lback_migrations.commands import CommandResult, MigrationCommands
from tests.databases import Database
from tests.models import ACCOUNT_MODELS, BASE_METADATA
from tests.projects import AlembicProject

RUNNERS = ("subprocess", "inprocess")

SEED_KWARGS = {
    "migration_commands_initialized": set(),
    "alembic_command_started": {"command", "args", "full_command"},
    "alembic_command_completed": {"command", "args", "returncode", "stdout", "stderr"},
    "alembic_command_failed": {
        "command",
        "args",
        "returncode",
        "stdout",
        "stderr",
        "error_type",
        "exception",
    },
    "migration_makemigrations_command": {"message"},
    "migration_migrate_command": {"version"},
    "migration_rollback_command": {"version"},
    "migration_history_command": set(),
    "migration_revision_written": {
        "revision",
        "path",
        "message",
        "down_revision",
        "autogenerate",
        "operations",
    },
    "migration_step_completed": {"revision", "direction", "duration"},
    "migration_check_completed": {"diffs_found", "diffs"},
    "migration_verify_step": {"revision", "ok", "report"},
    "migration_verify_completed": {"ok", "report"},
    "migration_hook_started": {"hook", "hook_type", "path"},
    "migration_hook_completed": {"hook", "hook_type", "path", "duration", "findings"},
    "migration_hook_failed": {"hook", "hook_type", "path", "duration", "error", "findings"},
    "migration_lock_waiting": {"lock", "holder", "timeout", "target"},
    "migration_lock_acquired": {"lock", "waited", "target"},
    "migration_step_failed": {
        "target",
        "revision",
        "direction",
        "statement",
        "error",
        "statements_run",
        "rolled_back",
        "statements_applied",
        "downgrade_sql",
        "rolled_back_revisions",
        "version_table",
        "versions",
        "interrupted",
        "concurrent",
    },
}


class Recorder:
    """Receives every lback-migrations signal, as ``(name, sender, kwargs)``."""

    def __init__(self) -> None:
        self.received: list[tuple[str, object, dict[str, Any]]] = []

    @contextmanager
    def connected(self) -> Iterator[Recorder]:
        with ExitStack() as stack:
            for named in signals.ALL_SIGNALS:
                stack.enter_context(named.connected_to(self._receiver(named.name), sender=ANY))
            yield self

    def _receiver(self, name: str) -> Any:
        def receive(sender: object, **kwargs: Any) -> None:
            self.received.append((name, sender, kwargs))

        return receive

    def names(self) -> list[str]:
        return [name for name, _, _ in self.received]

    def of(self, name: str) -> list[dict[str, Any]]:
        return [kwargs for received, _, kwargs in self.received if received == name]

    def clear(self) -> None:
        self.received.clear()


def forget_app_modules() -> None:
    for name in [name for name in sys.modules if name == "app" or name.startswith("app.")]:
        del sys.modules[name]


def new_project(
    root: Path, database: Database, runner: str, **options: Any
) -> tuple[AlembicProject, MigrationCommands]:
    """A directory with the models, and the commands that will run in it (nothing run yet).

    An in-process runner imports the models into this process: forget those of any project an
    earlier test in the same process imported under the same module name.
    """
    forget_app_modules()
    root.mkdir(parents=True)
    project = AlembicProject(root=root, database=database)
    project.write_models(ACCOUNT_MODELS)
    commands = MigrationCommands(runner=runner, directory=root, echo=False, **options)
    return project, commands


def point_at(project: AlembicProject, url: str) -> None:
    """Set the database URL and the target metadata in the ini file ``init`` wrote."""
    project.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    project.set_main_option("lback.target_metadata", BASE_METADATA)


def initialised(
    root: Path, database: Database, runner: str, **options: Any
) -> tuple[AlembicProject, MigrationCommands]:
    project, commands = new_project(root, database, runner, **options)
    assert_ok(commands.init())
    point_at(project, database.url_string)
    return project, commands


def assert_ok(result: CommandResult) -> None:
    assert result.success, f"{result.full_command}\n{result.stdout}\n{result.stderr}"
