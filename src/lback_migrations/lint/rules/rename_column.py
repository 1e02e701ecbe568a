"""LB302 rename-column."""

from __future__ import annotations

from ..findings import Severity
from ..rule import UPGRADE, Invalid, Operation, Rule, Valid
from ..syntax import keyword, string_value


class RenameColumn(Rule):
    """Renaming a column keeps its data (unlike a drop and an add, see LB103) but breaks every
    instance of the application still running the previous release.

    Deploy in steps: add the new column, write to both, backfill, move the readers, and drop
    the old column later; or map the new attribute name to the old column in the models
    (``mapped_column("old_name")``) and skip the rename. When downtime is acceptable, suppress
    the finding on the line.
    """

    code = "LB302"
    name = "rename-column"
    severity = Severity.WARNING
    message = (
        "alter_column renames {old} to {new}, breaking code that still uses {old}: add the new "
        "column and migrate in steps, or keep the column name and map it in the model"
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
                op.alter_column("account", "name", new_column_name="full_name")
            """,
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        new = keyword(operation.call, "new_column_name")
        if operation.function == UPGRADE and new is not None:
            old = string_value(operation.argument("column_name")) or "..."
            self.report(operation.call, old=repr(old), new=repr(string_value(new) or "..."))
