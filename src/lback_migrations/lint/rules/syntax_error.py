"""LB900 syntax-error."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Rule, Valid


class UnparsableRevision(Rule):
    """A revision that cannot be parsed cannot be linted, and Alembic cannot load it either:
    every command fails until it is fixed. The engine reports this itself; no other rule runs
    on the file.

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
