"""The ready-made tests of the pytest plugin (see :mod:`lback_migrations.pytest_plugin`).

Each reads the project's migrations through the plugin's fixtures; three of them share one
``verify`` run on a shadow database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from alembic.config import Config

    from .verify.report import VerifyReport


def test_single_head(lback_alembic_config: Config) -> None:
    """The history has one head (several need ``lback-migrations merge heads``)."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(lback_alembic_config).get_heads()
    assert len(heads) <= 1, f"{len(heads)} heads: {', '.join(heads)}; merge them"


def test_upgrade_downgrade_each_step(lback_verify_report: VerifyReport) -> None:
    """Every revision upgrades, and its downgrade brings back the schema from before it."""
    failed = [
        f"{r.revision}: "
        + (r.error or ("not reversible" if not r.reversible else "schema not restored"))
        + "".join(f"\n    {difference}" for difference in r.schema_differences)
        for r in lback_verify_report.revisions
        if not r.ok
    ]
    assert not failed, "\n".join(failed)


def test_models_match_head(lback_verify_report: VerifyReport) -> None:
    """At head, the models and the database agree (``check`` finds nothing)."""
    if not lback_verify_report.drift_checked:
        pytest.skip("the models were not compared: env.py gives no target metadata")
    assert not lback_verify_report.drift, "run makemigrations:\n" + "\n".join(
        lback_verify_report.drift
    )


def test_no_data_lost_on_upgrade(lback_verify_report: VerifyReport) -> None:
    """No upgrade loses or changes the values or rows generated before it."""
    lost = []
    for r in lback_verify_report.revisions:
        columns = (*r.data_lost_on_upgrade, *r.data_changed_on_upgrade, *r.rows_lost_on_upgrade)
        if columns:
            lost.append(f"{r.revision}: {', '.join(columns)}")
    assert not lost, "\n".join(lost)
