"""LB105 irreversible-downgrade."""

from __future__ import annotations

from ..findings import Severity
from ..rule import DOWNGRADE, UPGRADE, Invalid, MigrationFunction, Rule, Valid


class IrreversibleDowngrade(Rule):
    """A revision whose ``downgrade()`` is missing, empty or raises cannot be rolled back: a
    failed deployment then has no way back but a restore.

    Write the operations that undo ``upgrade()`` (autogenerate writes them for what it
    detects; hand-written ``op.execute`` needs its reverse written by hand). When a revision
    truly cannot be reversed, suppress the finding on the ``def downgrade`` line and say why in
    the docstring.
    """

    code = "LB105"
    name = "irreversible-downgrade"
    severity = Severity.WARNING
    message = "downgrade() {problem}: write the operations that undo upgrade()"
    VALID = (
        Valid(
            """
            def upgrade():
                op.add_column("account", sa.Column("nickname", sa.String(50)))

            def downgrade():
                op.drop_column("account", "nickname")
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("nickname", sa.String(50)))

            def downgrade():
                pass
            """,
            line=4,
        ),
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("nickname", sa.String(50)))

            def downgrade():
                raise NotImplementedError
            """,
            line=4,
        ),
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("nickname", sa.String(50)))
            """,
            line=1,
        ),
    )

    def leave_module(self, functions: dict[str, MigrationFunction]) -> None:
        downgrade = functions.get(DOWNGRADE)
        if downgrade is None:
            upgrade = functions.get(UPGRADE)
            self.report(upgrade.node if upgrade else (1, 1), problem="is missing")
        elif downgrade.raises:
            self.report(downgrade.node, problem="raises")
        elif downgrade.empty:
            self.report(downgrade.node, problem="is empty")
