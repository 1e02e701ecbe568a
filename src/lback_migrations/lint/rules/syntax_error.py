"""LB900 syntax-error."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Rule, RuleReport, Valid


class UnparsableRevision(Rule):
    """A revision that cannot be parsed cannot be linted, and Alembic cannot load it either:
    every command fails until it is fixed. No other rule runs on such a file: the engine,
    finding no syntax tree to walk, asks this rule for its report (:meth:`report_at`).

    Fix the syntax at the reported place. The hooks leave such a file exactly as written.
    """

    code = "LB900"
    name = "syntax-error"
    severity = Severity.ERROR
    message = "cannot parse the revision: {problem}; fix the syntax"
    VALID = (
        Valid(
            """
            def upgrade():
                pass
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade(:
                pass
            """
        ),
    )

    @classmethod
    def report_at(cls, line: int, column: int, problem: str) -> RuleReport:
        """The report on a file that cannot be parsed at ``line`` and ``column``, because of
        ``problem`` (Python's message, or the file's encoding)."""
        return RuleReport(cls.code, line, column, cls.message.format(problem=problem), line, line)
