"""LB302 rename-column."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, MigrationFunction, Valid
from ..stated_renames import StatedRenames


class RenameColumn(StatedRenames):
    """Renaming a column keeps its data (unlike a drop and an add, see LB103) but breaks every
    instance of the application still running the previous release.

    Deploy in steps: add the new column, write to both, backfill, move the readers, and drop
    the old column later; or map the new attribute name to the old column in the models
    (``mapped_column("old_name")``) and skip the rename. When downtime is acceptable, suppress
    the finding on the line.

    A rename the models stated (``info={"renamed_from": ...}``, see :doc:`renames`) is
    reported by LB305 instead, as a reminder.
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
        Valid(
            """
            def upgrade():
                # lback: stated rename: column account.full_name: info["renamed_from"]='name'
                op.alter_column("account", "name", new_column_name="full_name")
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

    def leave_module(self, functions: dict[str, MigrationFunction]) -> None:
        for call, operation, old, new in self.renames:
            if operation == "alter_column" and self.stated_by(call) is None:
                self.report(call, old=repr(old), new=repr(new))
