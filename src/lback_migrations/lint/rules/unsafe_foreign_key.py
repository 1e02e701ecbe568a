"""LB206 unsafe-foreign-key."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..syntax import is_constant, keyword


class UnsafeForeignKey(Rule):
    """On PostgreSQL, adding a foreign key to an existing table checks every row while holding
    locks that block writes to both tables.

    Create it with ``postgresql_not_valid=True`` (``ADD CONSTRAINT ... NOT VALID``: only new
    rows are checked), then in a later step run
    ``op.execute("ALTER TABLE ... VALIDATE CONSTRAINT ...")``, which checks the old rows
    without blocking writes.
    """

    code = "LB206"
    name = "unsafe-foreign-key"
    severity = Severity.WARNING
    message = (
        "create_foreign_key on existing table {table} checks every row under a write lock: "
        "create it with postgresql_not_valid=True, then VALIDATE CONSTRAINT in a later step"
    )
    operations = frozenset({"create_foreign_key"})
    dialects = frozenset({"postgresql"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.create_foreign_key("fk_order_account", "order", "account", ["account_id"],
                                      ["id"], postgresql_not_valid=True)
                op.execute("ALTER TABLE \\"order\\" VALIDATE CONSTRAINT fk_order_account")
            """,
            dialect="postgresql",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.create_foreign_key("fk_order_account", "order", "account", ["account_id"],
                                      ["id"])
            """,
            dialect="postgresql",
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        if operation.on_existing_table and not is_constant(
            keyword(operation.call, "postgresql_not_valid"), True
        ):
            self.report(operation.call, table=repr(operation.table or "..."))
