"""LB901 unused-suppression."""

from __future__ import annotations

from collections.abc import Collection

from ..findings import Severity
from ..rule import Invalid, Rule, RuleReport, Valid
from ..suppression import Suppression


class UnusedSuppression(Rule):
    """A ``# lback: ignore[CODE]`` comment that suppresses nothing is left over from code that
    changed, or names the wrong code; either way it would silently hide a future finding.
    Which suppressions were used is known only once every other rule has reported, file and
    place alike: concluding a file asks this rule for its report on each unused one
    (:meth:`report_unused`), for codes of rules that ran.

    Remove the code from the comment (or the comment), or fix the code it names.
    """

    code = "LB901"
    name = "unused-suppression"
    severity = Severity.WARNING
    message = "unused suppression: {problem}"
    VALID = (
        Valid(
            """
            def upgrade():
                op.drop_table("account")  # lback: ignore[LB101]
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def downgrade():
                op.drop_column("account", "nickname")  # lback: ignore[LB101]
            """,
            line=2,
        ),
    )

    @classmethod
    def report_unused(cls, suppression: Suppression, known: Collection[str]) -> RuleReport:
        """The report on ``suppression``, which suppressed nothing; ``known`` are the codes of
        every rule (a code outside them is a typo rather than a stale comment)."""
        if suppression.code not in known:
            problem = f"names {suppression.code}, which is no rule; fix the code or remove it"
        else:
            scope = "in this file" if suppression.whole_file else "here"
            problem = f"suppresses {suppression.code} but it reports nothing {scope}; remove it"
        line = suppression.line
        message = cls.message.format(problem=problem)
        return RuleReport(cls.code, line, suppression.column, message, line, line)
