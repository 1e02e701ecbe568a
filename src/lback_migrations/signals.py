"""The blinker signals of lback-migrations, all in blinker's default namespace.

``blinker.signal("alembic_command_started")`` is the very object imported from here, so
receivers can connect either way. Every signal is sent with a sender and keyword arguments
only; :doc:`/signals` lists each signal's arguments.

Signals raised inside the Alembic run (a revision written, a post-write hook, a migration step,
a ``check``) are sent with the sender of the run in progress: the
:class:`~lback_migrations.commands.MigrationCommands` instance when one drives Alembic (in
either runner mode), else ``None``. Their payloads hold JSON values only, so that the
subprocess runner forwards them unchanged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from blinker import NamedSignal, signal

if TYPE_CHECKING:
    from alembic.runtime.environment import OnVersionApplyFn
    from alembic.runtime.migration import MigrationContext, MigrationInfo

log = logging.getLogger(__name__)

migration_commands_initialized = signal("migration_commands_initialized")
alembic_command_started = signal("alembic_command_started")
alembic_command_completed = signal("alembic_command_completed")
alembic_command_failed = signal("alembic_command_failed")
migration_makemigrations_command = signal("migration_makemigrations_command")
migration_migrate_command = signal("migration_migrate_command")
migration_rollback_command = signal("migration_rollback_command")
migration_history_command = signal("migration_history_command")

migration_revision_written = signal("migration_revision_written")
migration_hook_started = signal("migration_hook_started")
migration_hook_completed = signal("migration_hook_completed")
migration_hook_failed = signal("migration_hook_failed")
migration_step_completed = signal("migration_step_completed")
migration_check_completed = signal("migration_check_completed")
migration_verify_step = signal("migration_verify_step")
migration_verify_completed = signal("migration_verify_completed")
migration_lock_waiting = signal("migration_lock_waiting")
migration_lock_acquired = signal("migration_lock_acquired")
migration_step_failed = signal("migration_step_failed")

COMMAND_SIGNALS: tuple[NamedSignal, ...] = (
    migration_commands_initialized,
    alembic_command_started,
    alembic_command_completed,
    alembic_command_failed,
    migration_makemigrations_command,
    migration_migrate_command,
    migration_rollback_command,
    migration_history_command,
)
"""Signals sent by :class:`~lback_migrations.commands.MigrationCommands` itself."""

RUN_SIGNALS: tuple[NamedSignal, ...] = (
    migration_revision_written,
    migration_hook_started,
    migration_hook_completed,
    migration_hook_failed,
    migration_step_completed,
    migration_check_completed,
    migration_verify_step,
    migration_verify_completed,
    migration_lock_waiting,
    migration_lock_acquired,
    migration_step_failed,
)
"""Signals raised inside the Alembic run: forwarded from a subprocess to its parent."""

ALL_SIGNALS: tuple[NamedSignal, ...] = COMMAND_SIGNALS + RUN_SIGNALS

_run_sender: ContextVar[object | None] = ContextVar("lback_migrations_run_sender", default=None)


@contextmanager
def run_sender(sender: object) -> Iterator[None]:
    """Send the signals raised inside the Alembic run with ``sender`` while the block runs."""
    token = _run_sender.set(sender)
    try:
        yield
    finally:
        _run_sender.reset(token)


_failed_receivers: set[int] = set()
"""The receivers whose failure was logged in this run (by :func:`id`)."""


def send(named: NamedSignal, sender: object | None, **kwargs: Any) -> None:
    """Send ``named`` to each receiver; a receiver that raises is logged and skipped.

    A monitoring receiver must never abort a migration nor hide a command's result. Its
    failure is logged once per run (see :func:`new_run`), as one error line; the traceback
    comes with it when this module's logger is enabled for ``DEBUG`` (``lback-migrations
    --verbose``).
    """
    if named.is_muted:
        return
    for receiver in named.receivers_for(sender):
        try:
            receiver(sender, **kwargs)
        except Exception as error:
            _log_failure(receiver, named, error)


def _log_failure(receiver: object, named: NamedSignal, error: Exception) -> None:
    if id(receiver) in _failed_receivers:
        return
    _failed_receivers.add(id(receiver))
    log.error(
        "receiver %r of signal %r raised; ignored (%s: %s); its further failures in this run "
        "are not logged",
        receiver,
        named.name,
        type(error).__name__,
        error,
        exc_info=log.isEnabledFor(logging.DEBUG),
    )


def new_run() -> None:
    """Start a new run for :func:`send`'s logging: a receiver failing again is logged again.

    :class:`~lback_migrations.commands.MigrationCommands` calls it after each command.
    """
    _failed_receivers.clear()


def send_from_run(named: NamedSignal, **kwargs: Any) -> None:
    """Send one of :data:`RUN_SIGNALS` with the sender of the run in progress."""
    send(named, _run_sender.get(), **kwargs)


def step_reporter() -> OnVersionApplyFn:
    """An ``on_version_apply`` callback sending :data:`migration_step_completed` per step.

    A step's duration is the time since the previous step ended (for the first step, since
    this callback was made, just before ``context.configure``). Stamps apply nothing and send
    nothing.
    """
    last = time.perf_counter()

    def on_version_apply(
        ctx: MigrationContext,
        step: MigrationInfo,
        heads: Collection[Any],
        run_args: Mapping[str, Any],
    ) -> None:
        nonlocal last
        now = time.perf_counter()
        duration, last = now - last, now
        if step.is_stamp:
            return
        send_from_run(
            migration_step_completed,
            revision=step.up_revision_id,
            direction="upgrade" if step.is_upgrade else "downgrade",
            duration=duration,
        )

    return on_version_apply
