"""LB104 empty-upgrade."""

from __future__ import annotations

from ..findings import Severity
from ..rule import UPGRADE, Invalid, MigrationFunction, Rule, Valid


class EmptyUpgrade(Rule):
    """A revision whose ``upgrade()`` does nothing still moves the version table, and usually
    means autogenerate found no change (or the wrong metadata) when one was expected.

    Delete the revision, or write the operations it was created for. A deliberate merge point
    of two branches is better made with ``alembic merge``.
    """

    code = "LB104"
    name = "empty-upgrade"
    severity = Severity.WARNING
    message = "upgrade() does nothing: delete the revision or write the operations it is for"
    VALID = (
        Valid(
            """
            def upgrade():
                op.add_column("account", sa.Column("nickname", sa.String(50)))
            """
        ),
    )
    INVALID = (
        Invalid(
            '''
            def upgrade() -> None:
                """Upgrade schema."""
                pass
            ''',
            line=1,
        ),
    )

    def leave_function(self, function: MigrationFunction) -> None:
        if function.name == UPGRADE and function.empty:
            self.report(function.node)
