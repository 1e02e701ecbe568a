"""Suppression comments, parsed here and nowhere else.

``# lback: ignore[LB101]`` (several codes separated by commas) suppresses those codes for
findings on its line, or in the statement whose first or last line it ends;
``# lback: ignore-file[LB101,LB102]`` suppresses them in the whole file. A suppression that
suppressed nothing is itself reported (``LB901``), so stale ones do not pile up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .rule import RuleReport

MARKER = "lback:"
_PATTERN = re.compile(r"#\s*lback:\s*(ignore|ignore-file)\[([^\]]*)\]")


@dataclass(frozen=True)
class Suppression:
    """One code named by one suppression comment.

    :param code: the rule code named (upper case, as written otherwise).
    :param line: the comment's line.
    :param column: the comment's 1-based column.
    :param whole_file: ``ignore-file`` rather than ``ignore``.
    """

    code: str
    line: int
    column: int
    whole_file: bool

    def covers(self, report: RuleReport) -> bool:
        """Whether this suppresses ``report``: same code, and the whole file or the report's
        line, or the first or last line of its statement."""
        if report.code != self.code:
            return False
        return self.whole_file or self.line in (report.line, report.first_line, report.last_line)


def parse_suppressions(source: str) -> list[Suppression]:
    """Return every code named by a suppression comment in ``source``.

    Only real comments count (Python's tokenizer tells them from strings). A file that cannot be
    tokenized has no suppressions.
    """
    if MARKER not in source:
        return []
    import io
    import tokenize  # only when a file mentions the marker, which most never do

    found: list[Suppression] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.COMMENT or MARKER not in token.string:
                continue
            line, column = token.start
            for match in _PATTERN.finditer(token.string):
                whole_file = match.group(1) == "ignore-file"
                for code in match.group(2).split(","):
                    if code.strip():
                        found.append(
                            Suppression(code.strip().upper(), line, column + 1, whole_file)
                        )
    except (tokenize.TokenError, SyntaxError):
        return []
    return found
