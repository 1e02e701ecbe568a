"""LB203 column-type-change."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..syntax import keyword, string_value


class ColumnTypeChange(Rule):
    """Changing a column's type usually rewrites the whole table under an exclusive lock, may
    truncate or reject existing values, and breaks code that still expects the old type.

    Add a column of the new type, write to both, backfill, switch the readers, and drop the
    old column later. Changes a database does in place (a longer ``VARCHAR`` on PostgreSQL)
    can be suppressed on the line.
    """

    code = "LB203"
    name = "column-type-change"
    severity = Severity.WARNING
    message = (
        "alter_column changes the type of {column}, which can rewrite the table under a lock "
        "and lose data: add a new column, backfill it, and switch over"
    )
    operations = frozenset({"alter_column"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=sa.String(100), nullable=True)
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "age", existing_type=sa.Integer(), type_=sa.String())
            """,
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        if keyword(operation.call, "type_") is not None:
            column = string_value(operation.argument("column_name")) or "..."
            self.report(operation.call, column=repr(column))
