"""LB102 drop-column."""

from __future__ import annotations

from ..findings import Severity
from ..rule import UPGRADE, Invalid, Operation, Rule, Valid
from ..syntax import is_scratch_name, string_value


class DropColumn(Rule):
    """Dropping a column in ``upgrade()`` destroys its values, and instances of the application
    still running the previous release keep selecting it until they are replaced.

    Release code that no longer reads or writes the column first (for SQLAlchemy models,
    remove the attribute or mark it ``deferred``), then drop it in a later revision. A column
    that was renamed should be renamed with ``op.alter_column(new_column_name=...)`` instead
    (see LB103).
    """

    code = "LB102"
    name = "drop-column"
    severity = Severity.ERROR
    message = (
        "op.drop_column({table}, {column}) in upgrade() deletes the column's data: release code "
        "that stops using it first, then drop it in a later revision"
    )
    operations = frozenset({"drop_column"})
    VALID = (
        Valid(
            """
            def downgrade():
                op.drop_column("account", "nickname")
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.drop_column("account", "nickname")
            """,
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                with op.batch_alter_table("account") as batch_op:
                    batch_op.drop_column("nickname")
            """,
            line=3,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        column_name = string_value(operation.argument("column_name"))
        if operation.function == UPGRADE and not is_scratch_name(column_name):
            column = column_name or "..."
            self.report(operation.call, table=repr(operation.table or "..."), column=repr(column))
