"""Ids of new revisions that sort in history order (``lback.revision_ids``).

``random``
    Alembic's own twelve hex digits; nothing is changed.
``sequential``
    ``0001``, ``0002``, ...: one more than the highest number in the history, four digits wide.
``timestamp``
    the UTC time of writing, ``YYYYMMDDHHMMSS``; one more than the newest id when that one is
    not older (two revisions in one second stay in order).

With Alembic's default ``file_template`` (``%(rev)s_%(slug)s``) the file names begin with the
id, so ``ls versions/`` lists the revisions in the order they were written. An id given with
``--rev-id`` is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..directives import writes_revision

if TYPE_CHECKING:
    from alembic.operations.ops import MigrationScript
    from alembic.runtime.environment import ProcessRevisionDirectiveFn
    from alembic.runtime.migration import MigrationContext
    from alembic.script.revision import _GetRevArg

SEQUENTIAL_WIDTH = 4
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"
TIMESTAMP_DIGITS = 14


def _numbers(ids: Iterable[str]) -> list[int]:
    return [int(identifier) for identifier in ids if identifier.isdigit()]


def next_sequential_id(existing: Iterable[str]) -> str:
    """One more than the highest numeric id in ``existing``, zero-padded."""
    return str(max(_numbers(existing), default=0) + 1).zfill(SEQUENTIAL_WIDTH)


def next_timestamp_id(existing: Iterable[str], now: datetime | None = None) -> str:
    """The UTC time ``now`` as ``YYYYMMDDHHMMSS``, or one more than the newest timestamp id in
    ``existing`` when that one is not older."""
    stamp = int((now or datetime.now(timezone.utc)).strftime(TIMESTAMP_FORMAT))
    timestamps = [identifier for identifier in existing if len(identifier) == TIMESTAMP_DIGITS]
    newest = max(_numbers(timestamps), default=0)
    return str(max(stamp, newest + 1))


NEXT_ID: dict[str, Callable[[Iterable[str]], str]] = {
    "sequential": next_sequential_id,
    "timestamp": next_timestamp_id,
}
"""How each ordered mode picks the next id from the existing ones."""


def _given_on_command_line(context: MigrationContext) -> bool:
    options = context.config.cmd_opts if context.config is not None else None
    return bool(getattr(options, "rev_id", None))


def revision_id_directive(mode: str) -> ProcessRevisionDirectiveFn | None:
    """The ``process_revision_directives`` step giving new revisions ``mode`` ids; ``None``
    for ``random``."""
    next_id = NEXT_ID.get(mode)
    if next_id is None:
        return None

    def assign_revision_ids(
        context: MigrationContext, revision: _GetRevArg, directives: list[MigrationScript]
    ) -> None:
        if (
            context.script is None
            or not writes_revision(context)
            or _given_on_command_line(context)
        ):
            return
        existing = [script.revision for script in context.script.walk_revisions()]
        for directive in directives:
            directive.rev_id = next_id(existing)
            existing.append(directive.rev_id)

    return assign_revision_ids
