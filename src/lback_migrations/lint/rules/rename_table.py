"""LB301 rename-table."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, MigrationFunction, Valid
from ..stated_renames import StatedRenames


class RenameTable(StatedRenames):
    """Renaming a table breaks every instance of the application still running the previous
    release: its queries name the old table until it is replaced.

    Deploy in steps: create the new table (or a view with the new name), move readers and
    writers over, and drop the old name in a later revision. When downtime is acceptable,
    suppress the finding on the line.

    A rename the models stated (``info={"renamed_from": ...}``, see :doc:`renames`) is
    reported by LB305 instead, as a reminder.
    """

    code = "LB301"
    name = "rename-table"
    severity = Severity.WARNING
    message = (
        "op.rename_table({old}, {new}) breaks code still using {old}: add the new name alongside "
        "(a view or a copy), move the code over, then drop the old name"
    )
    operations = frozenset({"rename_table"})
    VALID = (
        Valid(
            """
            def downgrade():
                op.rename_table("customer", "account")
            """
        ),
        Valid(
            """
            def upgrade():
                # lback: stated rename: table customer: info["renamed_from"]='account'
                op.rename_table("account", "customer")
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.rename_table("account", "customer")
            """,
            line=2,
        ),
    )

    def leave_module(self, functions: dict[str, MigrationFunction]) -> None:
        for call, operation, old, new in self.renames:
            if operation == "rename_table" and self.stated_by(call) is None:
                self.report(call, old=repr(old), new=repr(new))
