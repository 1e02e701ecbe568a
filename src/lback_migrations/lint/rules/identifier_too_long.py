"""LB406 identifier-too-long."""

from __future__ import annotations

import ast

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..syntax import is_call_to, keyword, positional, string_value

_LIMITS = {"postgresql": 63, "mysql": 64, "mariadb": 64}
_NAMED_ARGUMENTS = ("table_name", "index_name", "constraint_name", "new_table_name")


class IdentifierTooLong(Rule):
    """PostgreSQL cuts identifiers longer than 63 bytes to 63, silently: two long index names
    that differ only at the end become the same name, and a later migration naming the long
    name finds nothing. MariaDB refuses names longer than 64 characters.

    Shorten the name (a naming convention with ``%(column_0_N_name)s`` tokens makes long ones;
    ``op.f("...")`` does not shorten them).
    """

    code = "LB406"
    name = "identifier-too-long"
    severity = Severity.WARNING
    message = "{name} is {length} long, over the {limit} the target database allows: shorten it"
    operations = frozenset(
        {
            "create_table",
            "add_column",
            "create_index",
            "create_foreign_key",
            "create_unique_constraint",
            "create_check_constraint",
            "create_primary_key",
            "rename_table",
        }
    )
    dialects = frozenset(_LIMITS)
    VALID = (
        Valid(
            """
            def upgrade():
                op.create_index("ix_account_email", "account", ["email"])
            """,
            dialect="postgresql",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.create_index(
                    "ix_account_settings_notification_preferences_email_digest_frequency",
                    "account_settings",
                    ["notification_preferences_email_digest_frequency"],
                )
            """,
            dialect="postgresql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column(
                    "notification_preferences_email_digest_frequency_in_days_of_the_week",
                    sa.Integer(),
                ))
            """,
            dialect="mysql",
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        limit = _LIMITS[self.context.dialect or "postgresql"]
        names = [string_value(operation.argument(name)) for name in _NAMED_ARGUMENTS]
        names += [_column_name(value) for value in operation.call.args]
        if operation.name == "add_column":
            names.append(_column_name(operation.argument("column")))
        for name in names:
            if name is None:
                continue
            length = len(name.encode()) if limit == 63 else len(name)
            if length > limit:
                unit = "bytes" if limit == 63 else "characters"
                self.report(
                    operation.call,
                    name=repr(name),
                    length=f"{length} {unit}",
                    limit=limit,
                )
                return


def _column_name(value: ast.expr | None) -> str | None:
    if isinstance(value, ast.Call) and is_call_to(value, "Column"):
        arguments = positional(value)
        return string_value(arguments[0] if arguments else keyword(value, "name"))
    return None
