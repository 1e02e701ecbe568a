"""LB104 empty-upgrade."""

from __future__ import annotations

from ..findings import Severity
from ..rule import DOWNGRADE, UPGRADE, Invalid, MigrationFunction, Rule, Valid


class EmptyUpgrade(Rule):
    """A revision whose ``upgrade()`` does nothing while its ``downgrade()`` does something is
    lopsided: the upgrade was lost (deleted by hand, or written into the wrong function), and
    rolling back past it undoes what it never did.

    Write the operations the revision was created for, or empty ``downgrade()`` too. A
    revision whose both functions do nothing is no defect: ``alembic merge`` writes one to join
    two branches, ``-x allow_empty=true`` (and ``alembic revision`` without autogenerate) one
    to mark a point in the history or to be written by hand.

    The rule runs only when selected by its code: on the precision corpus (see the top of this
    page) every finding was a deliberately neutralised upgrade, explained in a comment.
    """

    code = "LB104"
    name = "empty-upgrade"
    severity = Severity.WARNING
    default = False
    message = (
        "upgrade() does nothing but downgrade() does: write the operations the revision is for"
    )
    VALID = (
        Valid(
            """
            def upgrade():
                op.add_column("account", sa.Column("nickname", sa.String(50)))
            """
        ),
        Valid(
            '''
            revision = "b2c3d4e5f6a7"
            down_revision = ("ae1027a6acf", "1975ea83b712")

            def upgrade() -> None:
                """Upgrade schema."""
                pass

            def downgrade() -> None:
                """Downgrade schema."""
                pass
            '''
        ),
        Valid(""),
    )
    INVALID = (
        Invalid(
            '''
            def upgrade() -> None:
                """Upgrade schema."""
                pass

            def downgrade() -> None:
                op.drop_column("account", "nickname")
            ''',
            line=1,
        ),
    )

    def leave_module(self, functions: dict[str, MigrationFunction]) -> None:
        upgrade, downgrade = functions.get(UPGRADE), functions.get(DOWNGRADE)
        if upgrade is None or not upgrade.empty:
            return
        if downgrade is not None and not downgrade.empty:
            self.report(upgrade.node)
