"""The ``--events FILE`` log: every signal written as one JSON line.

:class:`JsonLinesWriter` connects to signals and writes each one it receives as one JSON object
per line: ``{"signal": name, "time": unix time, "sender": class name, "kwargs": {...}}``. Anyone
can connect one from Python; ``lback-migrations --events FILE`` does so for the whole run
(:func:`recording`). The subprocess runner sends the run signals of a child process through the
same writer (see :mod:`lback_migrations.signal_forwarding`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

from blinker import NamedSignal

from .json_values import jsonable
from .signals import ALL_SIGNALS


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
