"""``MigrationCommands``: Alembic's commands as methods that return results and send signals.

Each method sends its own signal (``migration_migrate_command``, ...), then
``alembic_command_started``, runs Alembic through a runner (see :mod:`lback_migrations.runners`)
and sends ``alembic_command_completed`` or ``alembic_command_failed``. The signals raised inside
the run (revision written, hooks, steps, check) arrive in between, with this instance as sender.
Database passwords are masked in every payload and result.

This module imports no Alembic at import time: an interpreter without Alembic can still build
the object and get an ``alembic_not_found`` result.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .signals import (
    RUN_SIGNALS,
    alembic_command_completed,
    alembic_command_failed,
    alembic_command_started,
    migration_commands_initialized,
    migration_history_command,
    migration_makemigrations_command,
    migration_migrate_command,
    migration_rollback_command,
    migration_step_completed,
    new_run,
    send,
)

if TYPE_CHECKING:
    from alembic.config import Config

    from .runners import CommandLine, Runner

log = logging.getLogger(__name__)

RUNNER_NAMES = ("subprocess", "inprocess")
_REVISION_LINE = re.compile(r"^(\w+)\b")


@dataclass(frozen=True)
class Step:
    """One migration step applied or reverted during a command.

    :param revision: the revision applied (``upgrade``) or reverted (``downgrade``).
    :param direction: ``upgrade`` or ``downgrade``.
    :param duration: seconds.
    """

    revision: str
    direction: str
    duration: float


@dataclass(frozen=True)
class CommandResult:
    """What one command did. Passwords are masked in every field.

    :param command: the Alembic command (``revision``, ``upgrade``, ...).
    :param args: its arguments.
    :param full_command: the argument vector run (see the runner).
    :param runner: ``subprocess`` or ``inprocess``.
    :param returncode: the exit code; ``None`` on a timeout, an interrupt, or when the process
        could not be started.
    :param error_type: ``None`` on success, else one of
        :data:`lback_migrations.runners.ERROR_TYPES`.
    :param exception: the exception, when one was raised in this process.
    :param revisions: the revisions touched: written, applied, reverted, or listed by
        ``current`` / ``heads``; in order, each once.
    :param steps: the migration steps applied or reverted, with their durations.
    :param events: every run signal received: ``(signal name, keyword arguments)``.
    :param duration: seconds the whole command took.
    """

    command: str
    args: tuple[str, ...]
    full_command: list[str]
    runner: str
    returncode: int | None
    stdout: str
    stderr: str
    error_type: str | None
    exception: BaseException | None
    revisions: tuple[str, ...]
    steps: tuple[Step, ...]
    events: tuple[tuple[str, dict[str, Any]], ...]
    duration: float

    @property
    def success(self) -> bool:
        """Whether the command succeeded."""
        return self.error_type is None and self.returncode == 0

    def __bool__(self) -> bool:
        return self.success


def _lback_command_line() -> CommandLine:
    """The ``lback-migrations`` command line, which the in-process runner parses with (its
    :class:`ImportError`, when Alembic is missing, is the run's ``alembic_not_found``)."""
    from .command_line import LbackCommandLine

    return LbackCommandLine()


def make_runner(runner: str | Runner, *, python: str | None = None, echo: bool = True) -> Runner:
    """The runner named ``runner`` (``subprocess`` or ``inprocess``), or ``runner`` itself.

    :param python: the subprocess runner's interpreter.
    :param echo: whether the subprocess runner copies the child's output live.
    :raises ValueError: for an unknown name.
    """
    if not isinstance(runner, str):
        return runner
    if runner == "subprocess":
        from .runners.external import SubprocessRunner

        return SubprocessRunner(python, echo=echo)
    if runner == "inprocess":
        from .runners.inprocess import InProcessRunner

        return InProcessRunner()
    raise ValueError(f"unknown runner {runner!r}: use one of {', '.join(RUNNER_NAMES)}")


class MigrationCommands:
    """Run Alembic commands, sending a blinker signal at every stage.

    :param config_file: the Alembic ini file (``-c``), relative to ``directory``.
    :param runner: ``"subprocess"`` (the default), ``"inprocess"``, or a runner object.
    :param directory: the working directory of every command; ``None`` is the current one.
    :param name: the ini section (``-n``).
    :param x_arguments: ``-x`` arguments, ``key=value`` each.
    :param environment: environment variables set for every command.
    :param timeout: seconds after which a command is stopped; ``None`` for no limit.
    :param python: the interpreter of the subprocess runner; defaults to :data:`sys.executable`.
    :param echo: copy the subprocess runner's output live to this process's.
    """

    def __init__(
        self,
        config_file: str | Path = "alembic.ini",
        *,
        runner: str | Runner = "subprocess",
        directory: str | Path | None = None,
        name: str = "alembic",
        x_arguments: Sequence[str] = (),
        environment: Mapping[str, str] | None = None,
        timeout: float | None = None,
        python: str | None = None,
        echo: bool = True,
    ) -> None:
        self.config_file = str(config_file)
        self.runner = make_runner(runner, python=python, echo=echo)
        self.directory = None if directory is None else Path(directory)
        self.name = name
        self.x_arguments = tuple(x_arguments)
        self.environment = dict(environment or {})
        self.timeout = timeout
        send(migration_commands_initialized, self)

    @classmethod
    def from_config(cls, config: Config, **kwargs: Any) -> MigrationCommands:
        """Commands for the same ini file, section and ``-x`` arguments as ``config``.

        :param kwargs: further arguments of :class:`MigrationCommands`.
        """
        return cls(
            config.config_file_name or "alembic.ini",
            name=config.config_ini_section,
            x_arguments=tuple(getattr(config.cmd_opts, "x", None) or ()),
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"MigrationCommands({self.config_file!r}, runner={self.runner.name!r})"

    # -- the commands ------------------------------------------------------------------------

    def makemigrations(
        self, message: str = "auto", *, renames: Sequence[str] = (), noinput: bool = False
    ) -> CommandResult:
        """``revision --autogenerate -m MESSAGE``; the message is passed as given.

        :param renames: rename candidates to accept without a question, ``table.column=new``
            or ``table=new`` each (passed as ``-x rename=...``; see the Renames page).
        :param noinput: never ask about a rename candidate, even on a terminal: warn and keep
            drop + add (``-x noinput=true``). The subprocess runner never asks.
        """
        send(migration_makemigrations_command, self, message=message)
        extra = [f"rename={rename}" for rename in renames] + (["noinput=true"] if noinput else [])
        return self._run(
            "revision",
            ("--autogenerate", "-m", message),
            x_arguments=(*self.x_arguments, *extra),
            environment=self.environment,
        )

    def migrate(self, version: str = "head") -> CommandResult:
        """``upgrade VERSION``."""
        send(migration_migrate_command, self, version=version)
        return self.run("upgrade", version)

    def rollback(self, version: str = "-1") -> CommandResult:
        """``downgrade VERSION``; the default reverts one step."""
        send(migration_rollback_command, self, version=version)
        return self.run("downgrade", version)

    def history(self, *, verbose: bool = False, rev_range: str | None = None) -> CommandResult:
        """``history``, optionally ``--verbose`` and ``-r RANGE``."""
        send(migration_history_command, self)
        return self.run("history", *_flag("--verbose", verbose), *_option("-r", rev_range))

    def verify(
        self,
        *,
        from_revision: str | None = None,
        to_revision: str | None = None,
        since_git: str | None = None,
        shadow_url: str | None = None,
        data: bool = True,
        rows: int | None = None,
        fail_on: Sequence[str] = (),
    ) -> CommandResult:
        """``lback-migrations verify --output-format json``: every revision up to head, then
        each one down again, on a shadow database (see :doc:`/verify`).

        The report is the ``report`` argument of the last ``migration_verify_completed`` event
        in :attr:`CommandResult.events` (and the JSON document in ``stdout``); the return code
        is 0 when it is ok, 1 when not, 2 when verify could not run.

        :param shadow_url: an empty database to use; passed to the run in the environment
            (``LBACK_VERIFY_SHADOW_URL``), never on a command line.
        :param fail_on: ``data-loss``, ``rewrite``: also fail on these.
        """
        args = ["--output-format", "json"]
        args += _option("--from", from_revision) + _option("--to", to_revision)
        args += _option("--since-git", since_git) + _flag("--no-data", not data)
        args += _option("--rows", None if rows is None else str(rows))
        for level in fail_on:
            args += ["--fail-on", level]
        environment = self.environment
        if shadow_url is not None:
            environment = {**environment, "LBACK_VERIFY_SHADOW_URL": shadow_url}
        return self._run("verify", tuple(args), self.x_arguments, environment)

    def check(self) -> CommandResult:
        """``check``: fails when the models differ from the migrations."""
        return self.run("check")

    def current(self, *, verbose: bool = False) -> CommandResult:
        """``current``: the revisions of the database, in :attr:`CommandResult.revisions`."""
        return self.run("current", *_flag("--verbose", verbose))

    def heads(self, *, verbose: bool = False) -> CommandResult:
        """``heads``: the head revisions, in :attr:`CommandResult.revisions`."""
        return self.run("heads", *_flag("--verbose", verbose))

    def stamp(self, revision: str = "head", *, purge: bool = False) -> CommandResult:
        """``stamp REVISION``: set the version table without running migrations."""
        return self.run("stamp", *_flag("--purge", purge), revision)

    def merge(
        self, revisions: Sequence[str] = ("heads",), message: str | None = None
    ) -> CommandResult:
        """``merge REVISIONS -m MESSAGE``: a revision joining several heads."""
        return self.run("merge", *_option("-m", message), *revisions)

    def init(
        self, directory: str = "migrations", *, template: str = "lback", package: bool = False
    ) -> CommandResult:
        """``init -t TEMPLATE DIRECTORY``: writes the environment and the ini file."""
        return self.run("init", "-t", template, *_flag("--package", package), directory)

    # -- running -----------------------------------------------------------------------------

    def options(self) -> tuple[str, ...]:
        """The global options put before every command: ``-c``, ``-n``, ``-x``."""
        return self._options(self.x_arguments)

    def _options(self, x_arguments: Sequence[str]) -> tuple[str, ...]:
        options = ["-c", self.config_file]
        if self.name != "alembic":
            options += ["-n", self.name]
        for argument in x_arguments:
            options += ["-x", argument]
        return tuple(options)

    def run(self, command: str, *args: str) -> CommandResult:
        """Run any Alembic command with its arguments, sending the command signals.

        :returns: the result; a failure of the command is a result, never an exception.
        :raises KeyboardInterrupt: after ``alembic_command_failed`` (``error_type``
            ``interrupted``) was sent, when this process was interrupted (Ctrl-C) during the
            run. A child process of the subprocess runner ended by a SIGINT of its own is a
            result with that error type.
        """
        return self._run(command, args, self.x_arguments, self.environment)

    def _run(
        self,
        command: str,
        args: tuple[str, ...],
        x_arguments: Sequence[str],
        environment: Mapping[str, str],
    ) -> CommandResult:
        """:meth:`run` with the ``-x`` arguments and environment of this one command.

        A command's own values (a rename, a shadow URL) are passed here rather than set on the
        instance: a receiver, or another thread sharing the instance, sees only its settings.
        """
        from .runners import Invocation
        from .runners.redaction import Redactor, configured_passwords

        ini_path = (self.directory or Path.cwd()) / self.config_file
        redact = Redactor(
            configured_passwords(ini_path, self.name, dict(environment), (*x_arguments, *args))
        )
        invocation = Invocation(
            command=command,
            args=args,
            options=self._options(x_arguments),
            directory=self.directory,
            environment=environment,
            timeout=self.timeout,
            mask=redact.text,
            command_line=_lback_command_line,
        )
        masked_args = tuple(redact.arguments(args))
        full_command = redact.arguments(self.runner.full_command(invocation))
        log.info("running %s", " ".join(full_command))
        send(
            alembic_command_started,
            self,
            command=command,
            args=masked_args,
            full_command=full_command,
        )
        events: list[tuple[str, dict[str, Any]]] = []
        start = time.perf_counter()
        with _collecting(self, events):
            outcome = self.runner.run(invocation, self)
        duration = time.perf_counter() - start
        stdout, stderr = redact.text(outcome.stdout), redact.text(outcome.stderr)
        exception = redact.exception(outcome.exception)
        result = CommandResult(
            command=command,
            args=masked_args,
            full_command=full_command,
            runner=self.runner.name,
            returncode=outcome.returncode,
            stdout=stdout,
            stderr=stderr,
            error_type=outcome.error_type,
            exception=exception,
            revisions=_revisions(command, stdout, events),
            steps=tuple(
                Step(kwargs["revision"], kwargs["direction"], kwargs["duration"])
                for name, kwargs in events
                if name == migration_step_completed.name
            ),
            events=tuple(events),
            duration=duration,
        )
        common = {"command": command, "args": masked_args, "returncode": outcome.returncode}
        if result.success:
            send(alembic_command_completed, self, **common, stdout=stdout, stderr=stderr)
        else:
            log.warning("%s failed (%s)", command, result.error_type)
            send(
                alembic_command_failed,
                self,
                **common,
                stdout=stdout,
                stderr=stderr,
                error_type=outcome.error_type,
                exception=exception,
            )
        new_run()
        if isinstance(outcome.exception, KeyboardInterrupt):
            raise KeyboardInterrupt
        return result


@contextmanager
def _collecting(sender: object, events: list[tuple[str, dict[str, Any]]]) -> Iterator[None]:
    def collector(name: str) -> Callable[..., None]:
        def collect(sender: object, **kwargs: Any) -> None:
            events.append((name, kwargs))

        return collect

    with ExitStack() as stack:
        for named in RUN_SIGNALS:
            stack.enter_context(named.connected_to(collector(named.name), sender=sender))
        yield


def _revisions(
    command: str, stdout: str, events: Sequence[tuple[str, Mapping[str, Any]]]
) -> tuple[str, ...]:
    found: list[str] = []
    if command in {"current", "heads"}:
        for line in stdout.splitlines():
            match = _REVISION_LINE.match(line)
            if match:
                found.append(match.group(1))
    for _, kwargs in events:
        revision = kwargs.get("revision")
        if isinstance(revision, str):
            found.append(revision)
    return tuple(dict.fromkeys(found))


def _flag(flag: str, on: bool) -> list[str]:
    return [flag] if on else []


def _option(option: str, value: str | None) -> list[str]:
    return [] if value is None else [option, value]
