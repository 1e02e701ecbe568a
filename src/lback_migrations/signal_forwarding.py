"""The pipe that brings a child process's run signals back to the process that started it.

The subprocess runner passes the write end of a pipe to the child and names its file descriptor
in :data:`FORWARD_FD_VARIABLE`; the child's command line (and only when that variable is set)
writes :data:`~lback_migrations.signals.RUN_SIGNALS` to it with a
:class:`~lback_migrations.events_log.JsonLinesWriter`, one JSON line each, and the parent reads
each line back with :func:`parse_line` and re-sends it on the same signal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from blinker import NamedSignal

from .events_log import JsonLinesWriter
from .signals import ALL_SIGNALS, RUN_SIGNALS

FORWARD_FD_VARIABLE = "LBACK_MIGRATIONS_SIGNAL_FD"
"""Environment variable naming the file descriptor a child writes its run signals to."""


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


def parse_line(line: str) -> tuple[NamedSignal, dict[str, Any]]:
    """Read a line written by :class:`~lback_migrations.events_log.JsonLinesWriter`: the signal
    and its keyword arguments.

    :raises ValueError: when the line is not a record of one of lback-migrations' signals.
    """
    record = json.loads(line)
    by_name = {named.name: named for named in ALL_SIGNALS}
    if not isinstance(record, dict) or record.get("signal") not in by_name:
        raise ValueError(f"not a lback-migrations signal record: {line!r}")
    return by_name[record["signal"]], dict(record["kwargs"])
