"""LB208 sqlite-alter-outside-batch."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..syntax import string_value


class SqliteAlterOutsideBatch(Rule):
    """SQLite has no ``ALTER COLUMN``: ``op.alter_column`` outside batch mode fails on it.

    Run the change in ``with op.batch_alter_table(table) as batch_op:`` and call
    ``batch_op.alter_column(...)``; Alembic then copies the table with the change applied.
    The ``lback`` template turns on ``render_as_batch`` for SQLite (``lback.batch_mode``), so
    autogenerate writes this form itself.
    """

    code = "LB208"
    name = "sqlite-alter-outside-batch"
    severity = Severity.ERROR
    message = (
        "SQLite cannot alter column {column}: use "
        "`with op.batch_alter_table({table}) as batch_op:` and batch_op.alter_column(...)"
    )
    operations = frozenset({"alter_column"})
    dialects = frozenset({"sqlite"})
    VALID = (
        Valid(
            """
            def upgrade():
                with op.batch_alter_table("account") as batch_op:
                    batch_op.alter_column("email", existing_type=sa.String(), nullable=False)
            """,
            dialect="sqlite",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=sa.String(), nullable=False)
            """,
            dialect="sqlite",
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        if not operation.in_batch:
            column = string_value(operation.argument("column_name")) or "..."
            self.report(operation.call, column=repr(column), table=repr(operation.table or "..."))
