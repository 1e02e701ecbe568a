"""The ``inprocess`` runner: Alembic's command functions called in the calling process.

The arguments are parsed by the ``lback-migrations`` command line (Alembic's own, extended with
lback-migrations' commands such as ``verify``, whose exit code becomes the outcome's), so the
:class:`~alembic.config.Config` has the same ``cmd_opts`` as under the ``alembic`` command (and
:func:`~lback_migrations.directives.is_autogenerate_revision` works). ``env.py`` is told to
leave logging alone (``config.attributes["lback.configure_logging"] = False``); what Alembic
prints, and the records of the ``alembic`` logger that the caller's logging lets through, are
captured. With ``echo``, what Alembic prints is also copied live to this process's standard
output and error (the log records are shown, or not, by the caller's logging alone). While the
command runs, the working directory and the environment variables of the invocation are those
of the whole process: run one in-process command at a time.
"""

from __future__ import annotations

import io
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, redirect_stderr, redirect_stdout
from functools import cache
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from ..signals import run_sender
from . import (
    ALEMBIC_NOT_FOUND,
    INTERRUPTED,
    NON_ZERO_EXIT_CODE,
    TIMEOUT,
    CommandLine,
    Invocation,
    Outcome,
)
from .redaction import MaskedEcho

if TYPE_CHECKING:
    from argparse import Namespace

    from alembic.config import Config


STOCK_FAILURE_EXIT_CODE = 255
"""What the ``alembic`` command exits with on a command error (``sys.exit(-1)``)."""
TRACEBACK_EXIT_CODE = 1
"""What Python exits with on an uncaught exception."""


class RunTimeout(BaseException):
    """Raised inside the running command when its time is up.

    A :class:`BaseException`, so that no ``except Exception`` in a migration swallows it, while
    every ``with`` block (transactions included) still unwinds.
    """


@cache
def _command_line(build: Callable[[], CommandLine]) -> CommandLine:
    """The command line ``build`` makes, built once per process."""
    return build()


def _parse(command_line: CommandLine, argv: list[str]) -> Namespace:
    """Parse ``argv`` as ``lback-migrations`` does: Alembic's commands and lback-migrations'
    own (whose arguments are added once one is chosen)."""
    command_line.prepare(argv)
    return command_line.parser.parse_args(argv)


def _config(options: Namespace, stdout: _Output) -> Config:
    from alembic.config import Config

    from ..ini_logging import CONFIGURE_LOGGING_ATTRIBUTE

    names = list(options.config or [])
    toml = next((name for name in names if Path(name).name == "pyproject.toml"), None)
    ini = next((name for name in names if Path(name).name != "pyproject.toml"), None)
    config = Config(
        file_=ini or os.environ.get("ALEMBIC_CONFIG", "alembic.ini"),
        toml_file=toml or "pyproject.toml",
        ini_section=options.name,
        cmd_opts=options,
        stdout=stdout,
    )
    config.attributes[CONFIGURE_LOGGING_ATTRIBUTE] = False
    return config


@contextmanager
def _working_directory(directory: Path | None) -> Iterator[None]:
    if directory is None:
        yield
        return
    previous = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)


def _forget_relative_finders() -> None:
    for entry in [entry for entry in sys.path_importer_cache if not os.path.isabs(entry)]:
        del sys.path_importer_cache[entry]


@contextmanager
def _import_path_of_this_run() -> Iterator[None]:
    """Give the command a ``sys.path`` of its own.

    Alembic's ``prepend_sys_path`` adds entries such as ``"."`` to ``sys.path`` on every run,
    and Python resolves a relative entry against the working directory of its *first* use and
    caches the finder: without this, ``sys.path`` would grow with every call and a second
    project run in the same process would import the first project's models.
    """
    saved = list(sys.path)
    _forget_relative_finders()
    try:
        yield
    finally:
        sys.path[:] = saved
        _forget_relative_finders()


@contextmanager
def _environment(variables: Mapping[str, str]) -> Iterator[None]:
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class _Output(io.StringIO):
    """One captured output of the command, also copied to ``echo`` when there is one."""

    def __init__(self, echo: MaskedEcho | None) -> None:
        super().__init__()
        self.echo = echo

    def write(self, text: str) -> int:
        if self.echo is not None:
            self.echo.write(text)
        return super().write(text)

    def keep(self, text: str) -> None:
        """Capture ``text`` without copying it."""
        super().write(text)

    def close_echo(self) -> None:
        if self.echo is not None:
            self.echo.close()


class _CapturedLog(logging.Handler):
    """Keeps each record in the captured output; the caller's logging decides what is shown."""

    def __init__(self, output: _Output) -> None:
        super().__init__()
        self.output = output
        self.setFormatter(logging.Formatter("%(levelname)-5.5s [%(name)s] %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.output.keep(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


@contextmanager
def _captured_alembic_log(output: _Output) -> Iterator[None]:
    handler = _CapturedLog(output)
    logger = logging.getLogger("alembic")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


@contextmanager
def _deadline(timeout: float | None) -> Iterator[None]:
    if timeout is None:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        from ..errors import ConfigurationError

        raise ConfigurationError(
            "timeout",
            "the in-process runner can stop a command only on the main thread",
            "call it from the main thread, or use the subprocess runner",
        )

    def time_is_up(signum: int, frame: FrameType | None) -> None:
        raise RunTimeout(f"stopped after {timeout} seconds")

    previous = signal.signal(signal.SIGALRM, time_is_up)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class InProcessRunner:
    """Run Alembic commands in this process. Its name is ``"inprocess"``.

    :param echo: also copy what Alembic prints live to this process's standard output and
        error, passwords masked (it is captured either way).
    """

    name = "inprocess"

    def __init__(self, *, echo: bool = False) -> None:
        self.echo = echo

    def full_command(self, invocation: Invocation) -> list[str]:
        """The equivalent command line: ``lback-migrations`` and the arguments parsed."""
        return ["lback-migrations", *invocation.argv]

    def run(self, invocation: Invocation, sender: object) -> Outcome:
        """Parse and run ``invocation``, capturing its output; never raises for a failure of
        the command itself (the :class:`Outcome` says what happened).
        """
        stdout = _Output(MaskedEcho(sys.stdout, invocation.mask) if self.echo else None)
        stderr = _Output(MaskedEcho(sys.stderr, invocation.mask) if self.echo else None)
        try:
            return self._run(invocation, sender, stdout, stderr)
        finally:
            stdout.close_echo()
            stderr.close_echo()

    def _run(
        self, invocation: Invocation, sender: object, stdout: _Output, stderr: _Output
    ) -> Outcome:
        try:
            from alembic.util import CommandError

            from .instrumented import instrumented

            if invocation.command_line is None:
                raise ValueError("the in-process runner needs the invocation's command_line")
            command_line = _command_line(invocation.command_line)
        except ImportError as error:
            return Outcome(None, "", f"{type(error).__name__}: {error}\n", ALEMBIC_NOT_FOUND, error)
        with ExitStack() as stack:
            stack.enter_context(redirect_stdout(stdout))
            stack.enter_context(redirect_stderr(stderr))
            try:
                options = _parse(command_line, invocation.argv)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 2
                return Outcome(code, stdout.getvalue(), stderr.getvalue(), NON_ZERO_EXIT_CODE)
            stack.enter_context(_working_directory(invocation.directory))
            stack.enter_context(_import_path_of_this_run())
            stack.enter_context(_environment(invocation.environment))
            stack.enter_context(_captured_alembic_log(stderr))
            stack.enter_context(run_sender(sender))
            config = _config(options, stdout)
            fn, positional, keywords = options.cmd
            returncode: int | None = 0
            error_type: str | None = None
            exception: BaseException | None = None
            try:
                with _deadline(invocation.timeout):
                    returned = instrumented(fn)(
                        config,
                        *[getattr(options, name, None) for name in positional],
                        **{name: getattr(options, name, None) for name in keywords},
                    )
                if getattr(options, "lback_command", False) and returned:
                    returncode, error_type = int(returned), NON_ZERO_EXIT_CODE
            except RunTimeout as error:
                returncode, error_type, exception = None, TIMEOUT, error
            except KeyboardInterrupt as error:
                returncode, error_type, exception = None, INTERRUPTED, error
            except CommandError as error:
                stdout.write(f"FAILED: {error}\n")
                returncode, error_type, exception = (
                    STOCK_FAILURE_EXIT_CODE,
                    NON_ZERO_EXIT_CODE,
                    error,
                )
            except SystemExit as error:
                returncode = error.code if isinstance(error.code, int) else TRACEBACK_EXIT_CODE
                error_type = NON_ZERO_EXIT_CODE if returncode else None
            except Exception as error:
                stderr.write(traceback.format_exc())
                returncode, error_type, exception = TRACEBACK_EXIT_CODE, NON_ZERO_EXIT_CODE, error
        return Outcome(returncode, stdout.getvalue(), stderr.getvalue(), error_type, exception)
