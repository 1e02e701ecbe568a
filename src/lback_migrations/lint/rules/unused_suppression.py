"""LB901 unused-suppression."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Rule, Valid


class UnusedSuppression(Rule):
    """A ``# lback: ignore[CODE]`` comment that suppresses nothing is left over from code that
    changed, or names the wrong code; either way it would silently hide a future finding.
    The engine reports this itself, for codes of rules that ran.

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
