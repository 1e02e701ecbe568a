"""LB303 drop-not-null."""

from __future__ import annotations

from ..findings import Severity
from ..rule import UPGRADE, Invalid, Operation, Rule, Valid
from ..syntax import is_constant, keyword, string_value


class DropNotNull(Rule):
    """Dropping ``NOT NULL`` is instant, but it breaks a promise the running code relies on:
    once the new release writes ``NULL`` into the column, instances still running the previous
    release read a ``None`` they were never written to handle.

    Make every reader handle ``NULL`` in a release before the one that starts writing it, and
    suppress the finding on the line once they do.
    """

    code = "LB303"
    name = "drop-not-null"
    severity = Severity.WARNING
    message = (
        "alter_column makes {column} nullable: code of the previous release reading it does "
        "not expect NULL; release readers that handle NULL first"
    )
    operations = frozenset({"alter_column"})
    VALID = (
        Valid(
            """
            def downgrade():
                op.alter_column("account", "email", existing_type=sa.String(), nullable=True)
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=sa.String(), nullable=True)
            """,
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.execute("ALTER TABLE account ALTER COLUMN email DROP NOT NULL")
            """,
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        if operation.function == UPGRADE and is_constant(keyword(operation.call, "nullable"), True):
            column = string_value(operation.argument("column_name")) or "..."
            self.report(operation.call, column=repr(column))
