"""LB210 check-constraint-not-valid."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..syntax import is_constant, keyword


class CheckConstraintNotValid(Rule):
    """On PostgreSQL, adding a ``CHECK`` constraint to an existing table scans every row while
    holding an ``ACCESS EXCLUSIVE`` lock: reads and writes wait until the scan ends.

    Add it ``NOT VALID`` (``postgresql_not_valid=True``; only new rows are checked, no scan),
    then ``ALTER TABLE ... VALIDATE CONSTRAINT`` in a later revision, which scans under a lock
    that lets reads and writes go on. Claim: the scan under ``ACCESS EXCLUSIVE``.
    """

    code = "LB210"
    name = "check-constraint-not-valid"
    severity = Severity.WARNING
    message = (
        "create_check_constraint on existing table {table} scans it under an exclusive lock: "
        "add it with postgresql_not_valid=True, then VALIDATE CONSTRAINT in a later revision"
    )
    operations = frozenset({"create_check_constraint"})
    dialects = frozenset({"postgresql"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.create_check_constraint("ck_account_age", "account", "age >= 0",
                                           postgresql_not_valid=True)
                op.execute("ALTER TABLE account ADD CONSTRAINT ck_account_plan "
                           "CHECK (plan <> '') NOT VALID")
            """,
            dialect="postgresql",
        ),
        Valid(
            """
            def upgrade():
                bind = op.get_bind()
                if bind and bind.engine.name == "mysql":
                    op.create_check_constraint("ck_account_age", "account", "age >= 0")
            """,
            dialect="postgresql",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.create_check_constraint("ck_account_age", "account", "age >= 0")
            """,
            dialect="postgresql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.execute("ALTER TABLE account ADD CONSTRAINT ck_account_age CHECK (age >= 0)")
            """,
            dialect="postgresql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                if not (op.get_bind().dialect.name == "mysql" or is_sqlite()):
                    op.create_check_constraint("ck_account_age", "account", "age >= 0")
            """,
            dialect="postgresql",
            line=3,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        if operation.on_existing_table and not is_constant(
            keyword(operation.call, "postgresql_not_valid"), True
        ):
            self.report(operation.call, table=repr(operation.table or "..."))
