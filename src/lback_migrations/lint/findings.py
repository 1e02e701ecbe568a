"""What the linter reports: a :class:`Finding` at a place in a file, with a :class:`Severity`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

FAIL_ON = ("error", "warning", "never")
"""The values of ``fail_on``: the least severe finding that fails a run, or never."""


class Severity(str, Enum):
    """How serious a finding is; ``fail_on`` compares against it."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """``-1`` for information (which never fails a run), ``0`` for a warning, ``1`` for an
        error."""
        return _RANKS[self]


_RANKS = {Severity.INFO: -1, Severity.WARNING: 0, Severity.ERROR: 1}


@dataclass(frozen=True)
class Finding:
    """One rule's complaint about one place in a revision file, as shown.

    :param path: the revision file, as the user named it.
    :param line: 1-based line.
    :param column: 1-based column.
    :param code: the rule's code (``LB101``).
    :param name: the rule's kebab-case name.
    :param message: what is wrong and what to do instead.
    :param severity: the rule's severity after configuration.
    """

    path: str
    line: int
    column: int
    code: str
    name: str
    message: str
    severity: Severity

    def render(self) -> str:
        """Return ``path:line:col: CODE message [severity]``, the text output of one finding."""
        place = f"{self.path}:{self.line}:{self.column}"
        return f"{place}: {self.code} {self.message} [{self.severity.value}]"

    def as_dict(self) -> dict[str, Any]:
        """Return the finding as a JSON-serialisable mapping."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "severity": self.severity.value,
        }
