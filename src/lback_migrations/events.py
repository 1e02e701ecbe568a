"""Signals as JSON lines: the ``--events FILE`` receiver and the subprocess forwarding channel.

:class:`JsonLinesWriter` connects to signals and writes each one it receives as one JSON object
per line: ``{"signal": name, "time": unix time, "sender": class name, "kwargs": {...}}``. Anyone
can connect one from Python; ``lback-migrations --events FILE`` does so for the whole run.

The subprocess runner uses the same writer to bring the signals raised inside Alembic back to
the calling process: it passes the write end of a pipe to the child and names its file
descriptor in :data:`FORWARD_FD_VARIABLE`; the child's command line (and only when that
variable is set) writes :data:`~lback_migrations.signals.RUN_SIGNALS` to it, and the parent
re-sends each line on the same signal.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from enum import Enum
from pathlib import Path
from typing import IO, Any

from blinker import NamedSignal

from .signals import ALL_SIGNALS, RUN_SIGNALS

FORWARD_FD_VARIABLE = "LBACK_MIGRATIONS_SIGNAL_FD"
"""Environment variable naming the file descriptor a child writes its run signals to."""

JsonValue = Any
"""A value :func:`json.dumps` accepts: ``None``, bool, int, float, str, list, dict."""


def jsonable(value: object) -> JsonValue:
    """Convert ``value`` to JSON values, the same way in every process.

    Tuples and sets become lists, paths strings, enumerations their value, exceptions
    ``{"type", "message"}``, objects with an ``as_dict()`` method and dataclasses dicts, and
    anything else its ``str()``.
    """
    if isinstance(value, Enum):
        return jsonable(value.value)
    if value is None:
        return None
    for scalar in (bool, int, float, str):
        if isinstance(value, scalar):
            return scalar(value)
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(item) for item in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, BaseException):
        return {"type": type(value).__name__, "message": str(value)}
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        return jsonable(as_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    return str(value)


class JsonLinesWriter:
    """A receiver writing every signal it is connected to as one JSON line on ``stream``.

    A stream that cannot be written (a full disk, a closed pipe) never fails the run: the
    first failure prints one warning line on standard error and the writer stops writing.

    :param stream: a text stream, flushed after every line.
    :param signals: the signals to connect to; defaults to all of lback-migrations'.
    """

    def __init__(self, stream: IO[str], signals: Iterable[NamedSignal] = ALL_SIGNALS) -> None:
        self.stream = stream
        self.signals = tuple(signals)
        self._receivers = {named.name: self._receiver(named.name) for named in self.signals}
        self.broken: OSError | ValueError | None = None
        """Why the stream could not be written, once it could not."""

    def _receiver(self, name: str) -> Callable[..., None]:
        def write(sender: object, **kwargs: Any) -> None:
            self.write(name, sender, kwargs)

        return write

    def write(self, name: str, sender: object, kwargs: Mapping[str, object]) -> None:
        """Write one signal as a line (nothing once the stream failed)."""
        if self.broken is not None:
            return
        record = {
            "signal": name,
            "time": time.time(),
            "sender": None if sender is None else type(sender).__name__,
            "kwargs": jsonable(kwargs),
        }
        try:
            self.stream.write(json.dumps(record) + "\n")
            self.stream.flush()
        except (OSError, ValueError) as error:  # ValueError: the stream was closed
            self.broken = error
            reason = getattr(error, "strerror", None) or str(error)
            where = getattr(self.stream, "name", "the stream")
            sys.stderr.write(
                f"warning: cannot write the events log {where} ({reason}); "
                "the run goes on without it\n"
            )

    def connect(self) -> None:
        """Connect to every signal, for any sender."""
        for named in self.signals:
            named.connect(self._receivers[named.name], weak=False)

    def disconnect(self) -> None:
        """Disconnect from every signal."""
        for named in self.signals:
            named.disconnect(self._receivers[named.name])

    @contextmanager
    def connected(self) -> Iterator[JsonLinesWriter]:
        """Stay connected while the block runs."""
        self.connect()
        try:
            yield self
        finally:
            self.disconnect()


def parse_line(line: str) -> tuple[NamedSignal, dict[str, Any]]:
    """Read a line written by :class:`JsonLinesWriter`: the signal and its keyword arguments.

    :raises ValueError: when the line is not a record of one of lback-migrations' signals.
    """
    record = json.loads(line)
    by_name = {named.name: named for named in ALL_SIGNALS}
    if not isinstance(record, dict) or record.get("signal") not in by_name:
        raise ValueError(f"not a lback-migrations signal record: {line!r}")
    return by_name[record["signal"]], dict(record["kwargs"])


@contextmanager
def forwarding_to_parent() -> Iterator[None]:
    """In a child started by the subprocess runner, forward the run signals to the parent.

    Does nothing unless :data:`FORWARD_FD_VARIABLE` names an open file descriptor.
    """
    value = os.environ.get(FORWARD_FD_VARIABLE)
    if not value:
        yield
        return
    # Forwarding happens once per process: a nested run must not write to the same pipe.
    del os.environ[FORWARD_FD_VARIABLE]
    with (
        os.fdopen(int(value), "w", encoding="utf-8") as stream,
        JsonLinesWriter(stream, RUN_SIGNALS).connected(),
    ):
        yield


@contextmanager
def recording(path: str | os.PathLike[str] | None) -> Iterator[None]:
    """Append every signal sent while the block runs to ``path`` as JSON lines (no-op if None).

    The file is opened before the block runs; once it is open, nothing about it can fail the
    block (see :class:`JsonLinesWriter`).

    :raises ConfigurationError: when ``path`` cannot be opened for appending (a missing or
        read-only directory), before the block runs.
    """
    if path is None:
        yield
        return
    try:
        # closed by _close_quietly: a close that cannot flush must not fail the run
        stream = Path(path).open("a", encoding="utf-8")  # noqa: SIM115
    except OSError as error:
        from .errors import ConfigurationError

        raise ConfigurationError(
            "--events",
            f"cannot open {path} ({error.strerror})",
            "name a file in an existing directory this user may write to",
        ) from None
    with ExitStack() as stack:
        stack.callback(_close_quietly, stream)
        stack.enter_context(JsonLinesWriter(stream).connected())
        yield


def _close_quietly(stream: IO[str]) -> None:
    with contextlib.suppress(OSError):  # what could not be written was warned about already
        stream.close()
