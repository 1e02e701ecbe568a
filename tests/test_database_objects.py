"""One model using every kind of object the ``lback`` environment adds (a PostgreSQL enum, a
sequence, a generated column, a CHECK constraint, and through ``lback.entities`` a view, a
materialized view, a function, a trigger calling it and a row-level security policy):
``alembic check`` is clean after ``upgrade head``, and the history rebuilds from base.

The objects come in one revision from an empty database, or the tables first and the entities
in a second one; autogenerate leaves the database as it found it, though alembic-utils creates
each entity there (beside the revision's new tables and columns) to read its definition back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.databases import Database
from tests.object_round_trips import (
    assert_check_clean,
    assert_rebuilds_from_base,
    change_models,
    execute,
    lint_never_fails,
    project_with,
    rows,
)
from tests.projects import AlembicProject

WITH_ENTITIES = """
    import sqlalchemy as sa
    from alembic_utils.pg_function import PGFunction
    from alembic_utils.pg_materialized_view import PGMaterializedView
    from alembic_utils.pg_policy import PGPolicy
    from alembic_utils.pg_trigger import PGTrigger
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
    ENTITIES = [
        PGView(
            schema="public",
            signature="sad_order",
            definition='SELECT id FROM "order" WHERE mood = \\'sad\\'',
        ),
        PGMaterializedView(
            schema="public",
            signature="order_total",
            definition='SELECT sum(total) AS total FROM "order"',
            with_data=True,
        ),
        PGFunction(
            schema="public",
            signature="one_by_default()",
            definition="RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "NEW.quantity := coalesce(NEW.quantity, 1); RETURN NEW; END $$",
        ),
        PGTrigger(
            schema="public",
            signature="order_one_by_default",
            on_entity='public."order"',
            definition='BEFORE INSERT ON public."order" FOR EACH ROW '
            "EXECUTE FUNCTION public.one_by_default()",
        ),
        PGPolicy(
            schema="public",
            signature="happy_only",
            on_entity='public."order"',
            definition="AS PERMISSIVE FOR SELECT TO public USING (mood = 'ok')",
        ),
    ]
"""
TABLES_ONLY = WITH_ENTITIES[: WITH_ENTITIES.index("    ENTITIES = [")] + "    ENTITIES = []\n"

OBJECTS = """
    SELECT 'type ' || typname FROM pg_type WHERE typname = 'mood'
    UNION ALL SELECT 'sequence ' || sequencename FROM pg_sequences
        WHERE sequencename = 'order_number'
    UNION ALL SELECT 'check ' || conname FROM pg_constraint WHERE conname = 'sane'
    UNION ALL SELECT 'generated ' || column_name FROM information_schema.columns
        WHERE table_name = 'order' AND is_generated = 'ALWAYS'
    UNION ALL SELECT 'view ' || viewname FROM pg_views WHERE schemaname = 'public'
    UNION ALL SELECT 'materialized view ' || matviewname FROM pg_matviews
    UNION ALL SELECT 'function ' || proname FROM pg_proc
        WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'policy ' || policyname FROM pg_policies
    ORDER BY 1
"""
EVERY_OBJECT = [
    ("check sane",),
    ("function one_by_default",),
    ("generated total",),
    ("materialized view order_total",),
    ("policy happy_only",),
    ("sequence order_number",),
    ("trigger order_one_by_default",),
    ("type mood",),
    ("view sad_order",),
]


@pytest.mark.postgresql
def test_a_model_using_every_object_kind_is_clean_after_upgrade_head_and_rebuilds_from_base(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(
        tmp_path,
        postgresql_database,
        TABLES_ONLY,
        compare_check_constraints="true",
        entities="app.models:ENTITIES",
    )
    assert_check_clean(project)
    change_models(project, WITH_ENTITIES)
    assert rows(postgresql_database, OBJECTS) == EVERY_OBJECT
    assert_check_clean(project)
    assert_rebuilds_from_base(project)
    assert rows(postgresql_database, OBJECTS) == EVERY_OBJECT
    assert_rebuilds_from_base(project)
    assert rows(postgresql_database, OBJECTS) == EVERY_OBJECT


@pytest.mark.postgresql
def test_a_model_using_every_object_kind_autogenerates_from_an_empty_database_in_one_revision(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(
        tmp_path,
        postgresql_database,
        WITH_ENTITIES,
        compare_check_constraints="true",
        entities="app.models:ENTITIES",
    )
    assert rows(postgresql_database, OBJECTS) == EVERY_OBJECT
    assert_check_clean(project)
    assert_rebuilds_from_base(project)
    assert rows(postgresql_database, OBJECTS) == EVERY_OBJECT


@pytest.mark.postgresql
def test_the_entities_follow_the_tables_they_use_and_autogenerate_changes_nothing(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path,
        postgresql_database,
        models=WITH_ENTITIES,
        options={
            "target_metadata": "app.models:metadata",
            "compare_check_constraints": "true",
            "entities": "app.models:ENTITIES",
        },
    )
    revision = project.autogenerate("create")
    assert revision is not None
    upgrade, _, downgrade = revision.read_text().partition("def downgrade")
    assert upgrade.index("op.create_table") < upgrade.index("op.create_entity")
    assert downgrade.index("op.drop_entity") < downgrade.index("op.drop_table")
    assert rows(postgresql_database, OBJECTS) == []
    assert postgresql_database.table_names() <= {"alembic_version"}


VIEW_OF_A_NEW_COLUMN = """
    import sqlalchemy as sa
    from alembic_utils.pg_view import PGView

    metadata = sa.MetaData()
    sa.Table(
        "order",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("note", sa.Text),
    )
    ENTITIES = [
        PGView(schema="public", signature="noted", definition='SELECT id, note FROM "order"'),
    ]
"""


@pytest.mark.postgresql
def test_a_view_of_a_column_added_in_the_same_revision_autogenerates(
    tmp_path: Path, postgresql_database: Database
) -> None:
    without_column = VIEW_OF_A_NEW_COLUMN.replace('        sa.Column("note", sa.Text),\n', "")
    project = project_with(
        tmp_path,
        postgresql_database,
        without_column.replace("ENTITIES = [", "ENTITIES = []\n    UNUSED = ["),
        entities="app.models:ENTITIES",
    )
    execute(postgresql_database, 'INSERT INTO "order" (id) VALUES (1)')
    text = change_models(project, VIEW_OF_A_NEW_COLUMN)
    assert text.index("add_column") < text.index("op.create_entity")
    assert rows(postgresql_database, "SELECT id, note FROM noted") == [(1, None)]
    assert_check_clean(project)
    assert_rebuilds_from_base(project)


@pytest.mark.postgresql
def test_a_table_and_the_view_of_it_dropped_in_the_same_revision_autogenerate(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with(
        tmp_path,
        postgresql_database,
        VIEW_OF_A_NEW_COLUMN,
        entities="app.models:ENTITIES",
        drop_unknown_tables="true",
    )
    lint_never_fails(project)
    without = (
        VIEW_OF_A_NEW_COLUMN.replace("sa.Table(", "UNUSED = sa.Table(")
        .replace("metadata,\n", "sa.MetaData(),\n", 1)
        .replace("ENTITIES = [", "ENTITIES = []\n    UNUSED_ENTITIES = [")
    )
    text = change_models(project, without)
    upgrade, _, downgrade = text.partition("def downgrade")
    assert upgrade.index("op.drop_entity") < upgrade.index("op.drop_table")
    assert downgrade.index("op.create_table") < downgrade.index("op.create_entity")
    assert_rebuilds_from_base(project)
