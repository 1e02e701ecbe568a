"""LB209 add-column-rewrite."""

from __future__ import annotations

import ast
import re

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..syntax import is_call_to, is_constant, keyword, positional, string_value

_VOLATILE = re.compile(
    r"\b(random|clock_timestamp|timeofday|gen_random_uuid|uuid|uuid_generate_v[14]\w*|nextval)\s*\(",
    re.IGNORECASE,
)


class AddColumnRewrite(Rule):
    """On PostgreSQL, adding a column with a default rewrites the whole table under an
    exclusive lock when the default must be computed row by row. Since PostgreSQL 11 a
    constant default (or one evaluated once, like ``now()``) is stored in the catalogue and
    the column is added at once; a volatile default (``random()``, ``clock_timestamp()``,
    ``gen_random_uuid()``, ``nextval(...)``) still rewrites the table. Before 11 every default
    does.

    The rule depends on the server release (``server_version``, else the configured
    database's, else the oldest supported). Claim: a table rewrite holding an
    ``ACCESS EXCLUSIVE`` lock for its duration.

    Add the column without a default (or with a constant one), then fill it in batches, and
    set the default for new rows afterwards.
    """

    code = "LB209"
    name = "add-column-rewrite"
    severity = Severity.WARNING
    message = (
        "add_column gives {column} a {kind} default, which rewrites {table} under an exclusive "
        "lock on PostgreSQL {release}: add it without one, backfill in batches, then set it"
    )
    operations = frozenset({"add_column"})
    dialects = frozenset({"postgresql"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.add_column("account", sa.Column("active", sa.Boolean(), nullable=False,
                                                   server_default=sa.true()))
                op.add_column("account", sa.Column("created", sa.DateTime(),
                                                   server_default=sa.func.now()))
            """,
            dialect="postgresql",
        ),
        Valid(
            """
            def upgrade():
                op.create_table("token", sa.Column("id", sa.Integer(), primary_key=True))
                op.add_column("token", sa.Column("value", sa.Uuid(),
                                                 server_default=sa.text("gen_random_uuid()")))
            """,
            dialect="postgresql",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("token", sa.Uuid(),
                                                   server_default=sa.text("gen_random_uuid()")))
            """,
            dialect="postgresql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.execute("ALTER TABLE account ADD COLUMN token uuid DEFAULT gen_random_uuid()")
            """,
            dialect="postgresql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("active", sa.Boolean(), nullable=False,
                                                   server_default=sa.true()))
            """,
            dialect="postgresql",
            server_version=(10, 23),
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        if not operation.on_existing_table:
            return
        column = operation.argument("column")
        if not isinstance(column, ast.Call) or not is_call_to(column, "Column"):
            return
        default = keyword(column, "server_default")
        if default is None or is_constant(default, None):
            return
        if self.context.server_at_least(11):
            if not _volatile(default):
                return
            kind = "volatile"
        else:
            kind = "non-null"
        arguments = positional(column)
        release = ".".join(map(str, self.context.server_version or ())) or "before 11"
        self.report(
            operation.call,
            column=repr((string_value(arguments[0]) if arguments else None) or "..."),
            table=repr(operation.table or "..."),
            kind=kind,
            release=release,
        )


def _volatile(default: ast.expr) -> bool:
    text = default
    if isinstance(text, ast.Call) and is_call_to(text, "text"):
        arguments = positional(text)
        text = arguments[0] if arguments else text
    value = string_value(text)
    if value is not None:
        return _VOLATILE.search(value) is not None
    source = ast.unparse(default)
    return _VOLATILE.search(source.replace("func.", "")) is not None
