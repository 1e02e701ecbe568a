"""The two ways :class:`~lback_migrations.commands.MigrationCommands` runs Alembic.

- :class:`~lback_migrations.runners.external.SubprocessRunner` (``"subprocess"``): a child
  ``python -m lback_migrations`` with the caller's interpreter, output streamed live and
  captured, run signals forwarded back through a pipe.
- :class:`~lback_migrations.runners.inprocess.InProcessRunner` (``"inprocess"``): Alembic's
  command functions called in this process, output captured (and, on request, copied live),
  logging left alone.

Both take an :class:`Invocation` and return an :class:`Outcome`; both make the signals raised
inside the Alembic run reach this process's receivers, in order, with the same payloads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from argparse import ArgumentParser

NON_ZERO_EXIT_CODE = "non_zero_exit_code"
"""Alembic ran and failed: a command error, a failing migration, differences found by check."""
ALEMBIC_NOT_FOUND = "alembic_not_found"
"""Alembic (or lback-migrations) cannot be imported by the interpreter that should run it."""
EXCEPTION = "exception"
"""The runner itself failed: the process could not be started, or an unexpected error."""
TIMEOUT = "timeout"
"""The command ran longer than the timeout and was stopped."""
INTERRUPTED = "interrupted"
"""The command was stopped by SIGINT: :class:`KeyboardInterrupt` (Ctrl-C) in this process, or
a SIGINT that ended the child process."""

ERROR_TYPES = (NON_ZERO_EXIT_CODE, ALEMBIC_NOT_FOUND, EXCEPTION, TIMEOUT, INTERRUPTED)


class CommandLine(Protocol):
    """What the in-process runner needs of the program's command line
    (:class:`~lback_migrations.command_line.LbackCommandLine` is one)."""

    parser: ArgumentParser
    """Parses the arguments into the command function and its options."""

    def prepare(self, argv: Sequence[str]) -> None:
        """Get the parser ready for ``argv`` (add the chosen command's own arguments)."""


def unmasked(text: str) -> str:
    """The mask of an :class:`Invocation` given none: ``text`` unchanged."""
    return text


@dataclass(frozen=True)
class Invocation:
    """One Alembic command to run.

    :param command: the Alembic command (``revision``, ``upgrade``, ...).
    :param args: the command's own arguments, as on the command line.
    :param options: the global options before the command (``-c``, ``-n``, ``-x``).
    :param directory: the working directory; ``None`` keeps the current one.
    :param environment: environment variables set for the run.
    :param timeout: seconds after which the run is stopped; ``None`` for no limit.
    :param mask: masks the passwords in the output a runner copies live to this process's
        (see :class:`~lback_migrations.runners.redaction.Redactor`).
    :param command_line: builds the program's command line, for a runner that parses the
        arguments in this process; it may raise :class:`ImportError` when Alembic cannot be
        imported. The subprocess runner starts the program instead.
    """

    command: str
    args: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    directory: Path | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    timeout: float | None = None
    mask: Callable[[str], str] = unmasked
    command_line: Callable[[], CommandLine] | None = None

    @property
    def argv(self) -> list[str]:
        """The command line arguments after the program name."""
        return [*self.options, self.command, *self.args]


@dataclass(frozen=True)
class Outcome:
    """What a runner observed, before any password is masked.

    :param returncode: the exit code; ``None`` when the run did not finish on its own.
    :param error_type: one of :data:`ERROR_TYPES`, or ``None`` on success.
    :param exception: the exception raised, when there is one in this process.
    """

    returncode: int | None
    stdout: str
    stderr: str
    error_type: str | None = None
    exception: BaseException | None = None


class Runner(Protocol):
    """What :class:`~lback_migrations.commands.MigrationCommands` needs of a runner."""

    name: str

    def full_command(self, invocation: Invocation) -> list[str]:
        """The argument vector that runs ``invocation``."""

    def run(self, invocation: Invocation, sender: object) -> Outcome:
        """Run ``invocation``; run signals are sent with ``sender``."""
