"""LB101 drop-table."""

from __future__ import annotations

from ..findings import Severity
from ..rule import UPGRADE, Invalid, Operation, Rule, Valid
from ..syntax import is_scratch_name


class DropTable(Rule):
    """Dropping a table in ``upgrade()`` destroys its rows, and the running application may
    still read it during the deployment.

    Stop using the table first, release that code, and drop it in a later revision; keep a
    backup when the data might be wanted again. When the loss is intended, say so with
    ``# lback: ignore[LB101]`` on the line. ``drop_table`` in ``downgrade()`` (undoing a
    ``create_table``) is not reported.
    """

    code = "LB101"
    name = "drop-table"
    severity = Severity.ERROR
    message = (
        "op.drop_table({table}) in upgrade() deletes the table and its data: stop using it, "
        "drop it in a later release, and suppress this line when the loss is intended"
    )
    operations = frozenset({"drop_table"})
    VALID = (
        Valid(
            """
            def downgrade():
                op.drop_table("account")
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.drop_table("account")
            """,
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        if operation.function == UPGRADE and not is_scratch_name(operation.table):
            self.report(operation.call, table=repr(operation.table or "..."))
