"""The ``subprocess`` runner: ``python -m lback_migrations`` in a child process.

The child is started with the given interpreter (the caller's by default, never whatever
``alembic`` is first on ``PATH``), in its own session so that a timeout or an interrupt stops it
and anything it started. Its standard output and error are captured and copied live to this
process's, line by line with the passwords masked. The signals raised inside the run come back
as JSON lines through a pipe (see :mod:`lback_migrations.signal_forwarding`) and are re-sent
here, in order, as they arrive.

The ``-x`` values (a URL with its password, often) never reach the child's command line, which
every user of the host can read in ``ps`` and ``/proc/PID/cmdline``: they travel in the
environment variable :data:`X_ARGUMENTS_VARIABLE` (readable only by the
same user), and the child's command line puts them back in front of its arguments.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import IO

from ..signal_forwarding import FORWARD_FD_VARIABLE, parse_line
from ..signals import send
from . import (
    ALEMBIC_NOT_FOUND,
    EXCEPTION,
    INTERRUPTED,
    NON_ZERO_EXIT_CODE,
    TIMEOUT,
    Invocation,
    Outcome,
)
from .redaction import MaskedEcho

CHILD_MODULE = "lback_migrations"
"""The module the child runs with ``-m``: Alembic's command line, extended."""
X_ARGUMENTS_VARIABLE = "LBACK_MIGRATIONS_X_ARGUMENTS"
"""Environment variable holding the JSON list of ``-x`` values of the child's command line."""
INTERRUPT_GRACE_SECONDS = 10.0
"""How long an interrupted child may take to roll back before it is killed."""

_MISSING_MODULE = re.compile(r"No module named '?(alembic|lback_migrations)\b")


class _Stream:
    """One output of the child: decoded incrementally, kept, and copied to ``echo``."""

    def __init__(self, echo: MaskedEcho | None) -> None:
        self.echo = echo
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.parts: list[str] = []

    def feed(self, data: bytes) -> None:
        text = self.decoder.decode(data, final=not data)
        self.parts.append(text)
        if self.echo is not None:
            self.echo.write(text)
            if not data:
                self.echo.close()

    @property
    def text(self) -> str:
        return "".join(self.parts)


class _Signals:
    """The forwarding pipe: complete lines are re-sent on their signal with ``sender``."""

    def __init__(self, sender: object) -> None:
        self.sender = sender
        self.pending = b""

    def feed(self, data: bytes) -> None:
        self.pending += data
        *lines, self.pending = self.pending.split(b"\n")
        for line in lines:
            if line.strip():
                named, kwargs = parse_line(line.decode("utf-8"))
                send(named, self.sender, **kwargs)


class SubprocessRunner:
    """Run Alembic in a child process. Its name is ``"subprocess"``.

    :param python: the interpreter of the child; defaults to :data:`sys.executable`.
    :param echo: copy the child's output to this process's standard output and error as it
        arrives (it is captured either way).
    """

    name = "subprocess"

    def __init__(self, python: str | None = None, *, echo: bool = True) -> None:
        self.python = python or sys.executable
        self.echo = echo

    def full_command(self, invocation: Invocation) -> list[str]:
        """``[python, "-m", "lback_migrations", *options, command, *args]``: the command the
        child runs (its ``-x`` values reach it through its environment, see above)."""
        return [self.python, "-m", CHILD_MODULE, *invocation.argv]

    def child_argv(self, invocation: Invocation) -> tuple[list[str], list[str]]:
        """The child's real argument vector, without ``-x``, and the ``-x`` values taken out."""
        options, x_values = split_x_options(invocation.options)
        argv = [self.python, "-m", CHILD_MODULE, *options, invocation.command, *invocation.args]
        return argv, x_values

    def run(self, invocation: Invocation, sender: object) -> Outcome:
        """Run ``invocation`` in a child process and wait for it, or for its timeout."""
        read_fd, write_fd = os.pipe()
        argv, x_values = self.child_argv(invocation)
        environment = {**os.environ, **invocation.environment}
        environment[FORWARD_FD_VARIABLE] = str(write_fd)
        environment["PYTHONUNBUFFERED"] = "1"
        environment.update(x_environment(x_values))
        try:
            process = subprocess.Popen(
                argv,
                cwd=invocation.directory,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(write_fd,),
                start_new_session=True,
            )
        except OSError as error:
            os.close(read_fd)
            error_type = ALEMBIC_NOT_FOUND if isinstance(error, FileNotFoundError) else EXCEPTION
            return Outcome(None, "", f"{type(error).__name__}: {error}\n", error_type, error)
        finally:
            os.close(write_fd)
        with os.fdopen(read_fd, "rb", buffering=0) as signals_pipe:
            return self._follow(process, signals_pipe, invocation, sender)

    def _follow(
        self,
        process: subprocess.Popen[bytes],
        signals_pipe: IO[bytes],
        invocation: Invocation,
        sender: object,
    ) -> Outcome:
        timeout, mask = invocation.timeout, invocation.mask
        assert process.stdout is not None
        assert process.stderr is not None
        stdout = _Stream(MaskedEcho(sys.stdout, mask) if self.echo else None)
        stderr = _Stream(MaskedEcho(sys.stderr, mask) if self.echo else None)
        consumers: dict[int, _Stream | _Signals] = {
            process.stdout.fileno(): stdout,
            process.stderr.fileno(): stderr,
            signals_pipe.fileno(): _Signals(sender),
        }
        deadline = None if timeout is None else time.monotonic() + timeout
        error_type: str | None = None
        exception: BaseException | None = None
        with selectors.DefaultSelector() as selector:
            for stream in (process.stdout, process.stderr, signals_pipe):
                selector.register(stream, selectors.EVENT_READ)
            try:
                while selector.get_map():
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0 and error_type is None:
                        error_type = TIMEOUT
                        _stop(process, signal.SIGKILL)
                        deadline = None
                        continue
                    for key, _ in selector.select(left):
                        data = os.read(key.fd, 65536)
                        consumers[key.fd].feed(data)
                        if not data:
                            selector.unregister(key.fileobj)
            except KeyboardInterrupt as error:
                error_type, exception = INTERRUPTED, error
                _stop(process, signal.SIGINT)
                try:
                    process.wait(INTERRUPT_GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    _stop(process, signal.SIGKILL)
        returncode = process.wait()
        process.stdout.close()
        process.stderr.close()
        if error_type is not None:
            return Outcome(None, stdout.text, stderr.text, error_type, exception)
        if returncode == 0:
            return Outcome(0, stdout.text, stderr.text)
        if returncode == -signal.SIGINT:
            return Outcome(None, stdout.text, stderr.text, INTERRUPTED)
        if _MISSING_MODULE.search(stderr.text):
            return Outcome(returncode, stdout.text, stderr.text, ALEMBIC_NOT_FOUND)
        return Outcome(returncode, stdout.text, stderr.text, NON_ZERO_EXIT_CODE)


def split_x_options(options: Sequence[str]) -> tuple[list[str], list[str]]:
    """``options`` without their ``-x`` values, and those values, for a child process."""
    kept: list[str] = []
    x_values: list[str] = []
    items = iter(options)
    for option in items:
        if option == "-x":
            x_values.append(next(items, ""))
        elif option.startswith("-x"):
            x_values.append(option[2:].removeprefix("="))
        else:
            kept.append(option)
    return kept, x_values


def x_environment(x_values: Sequence[str]) -> dict[str, str]:
    """The environment variable carrying ``x_values`` to a child (nothing when there are none)."""
    return {X_ARGUMENTS_VARIABLE: json.dumps(list(x_values))} if x_values else {}


def _stop(process: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        return
