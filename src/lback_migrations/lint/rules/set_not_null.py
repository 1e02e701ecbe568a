"""LB202 set-not-null."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..syntax import is_constant, keyword, string_value


class SetNotNull(Rule):
    """``ALTER COLUMN ... SET NOT NULL`` checks every row while holding a lock that blocks
    reads and writes of the table, and fails if any row still holds ``NULL``.

    Backfill the column first. On PostgreSQL 12 and later, add
    ``CHECK (column IS NOT NULL) NOT VALID``, ``VALIDATE`` it (which does not block writes),
    and then set ``NOT NULL``: the database uses the valid constraint and skips the scan.
    """

    code = "LB202"
    name = "set-not-null"
    severity = Severity.WARNING
    message = (
        "alter_column sets {column} NOT NULL, scanning the table under a lock and failing on "
        "NULLs: backfill first (on PostgreSQL, validate a NOT VALID CHECK constraint first)"
    )
    operations = frozenset({"alter_column"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=sa.String(), nullable=True)
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=sa.String(), nullable=False)
            """,
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        if is_constant(keyword(operation.call, "nullable"), False):
            column = string_value(operation.argument("column_name")) or "..."
            self.report(operation.call, column=repr(column))
