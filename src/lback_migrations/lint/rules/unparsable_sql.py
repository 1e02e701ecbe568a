"""LB902 unparsable-sql."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Rule, Valid


class UnparsableSql(Rule):
    """The linter reads the SQL of ``op.execute`` with sqlglot and judges what it does by the
    same rules as the Python operations. SQL that sqlglot cannot parse is not judged: the
    engine reports it once per call, as information, so that a dangerous statement does not
    pass unread without anyone knowing.

    Check the statement by hand. When the SQL is right and only the parser is wrong (vendor
    syntax, a ``DO`` block), suppress the finding on the line.
    """

    code = "LB902"
    name = "unparsable-sql"
    severity = Severity.INFO
    message = "the SQL of op.execute cannot be parsed, so no rule checked it: {problem}"
    VALID = (
        Valid(
            """
            def upgrade():
                op.execute("UPDATE account SET plan = 'free' WHERE plan IS NULL")
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.execute("UPDATE account SET plan = 'free")
            """,
            line=2,
        ),
    )
