"""One model using every kind of object the ``lback`` environment adds: after ``upgrade head``
``alembic check`` is clean, and the history rebuilds from base."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.databases import Database
from tests.object_round_trips import (
    assert_check_clean,
    assert_rebuilds_from_base,
    change_models,
    project_with,
)

EVERYTHING = """
    import sqlalchemy as sa
    from alembic_utils.pg_view import PGView

    metadata = sa.MetaData()
    mood = sa.Enum("sad", "ok", name="mood")
    number = sa.Sequence("order_number", start=100, metadata=metadata)
    sa.Table(
        "order",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.Integer, number),
        sa.Column("mood", mood),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("quantity", sa.Integer),
        sa.Column("total", sa.Numeric(12, 2), sa.Computed("price * quantity")),
        sa.CheckConstraint("price >= 0 AND quantity > 0", name="sane"),
    )
    ENTITIES = []
"""
WITH_VIEW = EVERYTHING.replace(
    "ENTITIES = []",
    """ENTITIES = [
        PGView(
            schema="public",
            signature="sad_order",
            definition='SELECT id FROM "order" WHERE mood = \\'sad\\'',
        )
    ]""",
)


@pytest.mark.postgresql
def test_a_model_using_every_object_kind_is_clean_after_upgrade_head(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(
        tmp_path,
        postgresql_database,
        EVERYTHING,
        compare_check_constraints="true",
        entities="app.models:ENTITIES",
    )
    assert_check_clean(project)
    change_models(project, WITH_VIEW)
    assert_check_clean(project)
    assert_rebuilds_from_base(project)
