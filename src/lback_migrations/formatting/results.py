"""What formatting one revision file produced: result values, and the error the hook raises.

The formatter returns these values and never raises; only the adapters facing Alembic and the
command line (:mod:`.hook`, :mod:`.command`) turn a :class:`Failed` into an exception or an
exit code.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from ..errors import LbackError


@dataclass(frozen=True)
class Unchanged:
    """The file was already formatted.

    :param path: the revision file.
    """

    path: Path


@dataclass(frozen=True)
class Formatted:
    """The file was (or, when checking, would be) reformatted.

    :param path: the revision file.
    :param before: its source as read.
    :param after: its formatted source.
    """

    path: Path
    before: str
    after: str

    def diff(self) -> str:
        """A unified diff from the source as read to the formatted source."""
        name = str(self.path)
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=f"{name} (original)",
                tofile=f"{name} (formatted)",
            )
        )


@dataclass(frozen=True)
class Failed:
    """The file could not be formatted; it was left exactly as it was.

    :param path: the revision file.
    :param reason: why, in one sentence.
    :param line: the line the problem is on, when known.
    """

    path: Path
    reason: str
    line: int | None = None

    @property
    def location(self) -> str:
        """``path:line`` (or just the path when the line is unknown)."""
        return f"{self.path}:{self.line}" if self.line else str(self.path)


FormatResult = Unchanged | Formatted | Failed
"""The outcome of formatting one file."""


class FormatError(LbackError):
    """A revision could not be formatted; the file was kept unchanged.

    :param failure: the result describing the failure.
    """

    def __init__(self, failure: Failed) -> None:
        self.failure = failure
        self.path = failure.path
        self.reason = failure.reason
        self.line = failure.line
        super().__init__(
            f"{failure.location}: {failure.reason}; the revision was kept as written: "
            f"fix it, then run lback-migrations format {failure.path}"
        )
