"""LB301 rename-table."""

from __future__ import annotations

from ..findings import Severity
from ..rule import UPGRADE, Invalid, Operation, Rule, Valid
from ..syntax import string_value


class RenameTable(Rule):
    """Renaming a table breaks every instance of the application still running the previous
    release: its queries name the old table until it is replaced.

    Deploy in steps: create the new table (or a view with the new name), move readers and
    writers over, and drop the old name in a later revision. When downtime is acceptable,
    suppress the finding on the line.
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

    def visit_operation(self, operation: Operation) -> None:
        if operation.function == UPGRADE:
            old = string_value(operation.argument("old_table_name")) or "..."
            new = string_value(operation.argument("new_table_name")) or "..."
            self.report(operation.call, old=repr(old), new=repr(new))
