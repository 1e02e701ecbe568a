"""Views, functions and the other alembic-utils entities named by ``lback.entities``: created,
replaced and dropped on PostgreSQL, filtered like tables, and a one-line error without
alembic-utils."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from alembic_utils.pg_function import PGFunction

from lback_migrations.lint.dependants import (
    EntityDependants,
    database_dependants,
    declared_dependants,
)
from tests.databases import Database
from tests.object_round_trips import (
    assert_check_clean,
    assert_rebuilds_from_base,
    change_models,
    execute,
    project_with,
    rows,
)
from tests.projects import AlembicProject

TABLE = """
    import sqlalchemy as sa
    from alembic_utils.pg_function import PGFunction
    from alembic_utils.pg_view import PGView

    metadata = sa.MetaData()
    sa.Table(
        "item",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("price", sa.Numeric(10, 2)),
    )
    ENTITIES = []
"""
WITH_ENTITIES = TABLE.replace(
    "ENTITIES = []",
    """ENTITIES = [
        PGView(
            schema="public",
            signature="cheap_item",
            definition="SELECT id, price FROM item WHERE price < 10",
        ),
        PGFunction(
            schema="public",
            signature="double_price(p numeric)",
            definition="RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT p * 2 $$",
        ),
    ]""",
)
ENTITY_OPTIONS = {"entities": "app.models:ENTITIES"}


def project_with_entities(root: Path, database: Database, **options: str) -> AlembicProject:
    project = project_with(root, database, TABLE, **ENTITY_OPTIONS, **options)
    execute(database, "INSERT INTO item (id, price) VALUES (1, 5), (2, 50)")
    return project


@pytest.mark.postgresql
def test_views_and_functions_are_created_replaced_and_rebuilt_from_base(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with_entities(tmp_path, postgresql_database)
    text = change_models(project, WITH_ENTITIES)
    assert "op.create_entity(public_cheap_item)" in text
    assert "op.create_entity(public_double_price)" in text
    assert rows(postgresql_database, "SELECT id FROM cheap_item") == [(1,)]
    assert rows(postgresql_database, "SELECT double_price(2)") == [(4,)]
    assert_check_clean(project)
    text = change_models(project, WITH_ENTITIES.replace("price < 10", "price < 100"))
    assert "op.replace_entity(public_cheap_item)" in text
    assert rows(postgresql_database, "SELECT id FROM cheap_item ORDER BY id") == [(1,), (2,)]
    assert_check_clean(project)
    project.alembic("downgrade", "-1")
    assert rows(postgresql_database, "SELECT id FROM cheap_item") == [(1,)]
    project.alembic("upgrade", "head")
    assert_rebuilds_from_base(project)


@pytest.mark.postgresql
def test_an_excluded_pattern_leaves_an_entity_alone(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with_entities(tmp_path, postgresql_database, exclude_tables="cheap_*")
    text = change_models(project, WITH_ENTITIES)
    assert "public_double_price" in text
    assert "cheap_item" not in text


@pytest.mark.postgresql
def test_a_database_view_no_entity_names_is_not_dropped(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with_entities(tmp_path, postgresql_database)
    execute(postgresql_database, "CREATE VIEW someone_elses AS SELECT 1 AS one")
    assert_check_clean(project)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def test_elsewhere_the_option_is_ignored_though_the_models_import_alembic_utils(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    # schemas compared: alembic-utils' own comparison would query PostgreSQL's catalogs
    database: Database = request.getfixturevalue(f"{backend}_database")
    schema = "main" if backend == "sqlite" else str(database.url.database)
    project = AlembicProject.create(
        tmp_path,
        database,
        models=WITH_ENTITIES,
        options={"target_metadata": "app.models:metadata", "schemas": schema, **ENTITY_OPTIONS},
    )
    revision = project.autogenerate("create")
    assert revision is not None
    assert "entity" not in revision.read_text()
    result = project.alembic("upgrade", "head")
    assert "alembic-utils entities are PostgreSQL objects; ignored on" in result.stderr
    assert_check_clean(project)


@pytest.mark.postgresql
def test_offline_the_revision_of_a_table_and_its_view_renders_both_in_order(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path,
        postgresql_database,
        models=WITH_ENTITIES,
        options={"target_metadata": "app.models:metadata", **ENTITY_OPTIONS},
    )
    assert project.autogenerate("create") is not None
    script = project.alembic("upgrade", "head", "--sql").stdout
    assert script.index("CREATE TABLE item") < script.index('VIEW "public"."cheap_item"')
    assert postgresql_database.table_names() <= {"alembic_version"}


@pytest.mark.postgresql
def test_without_alembic_utils_the_option_names_the_extra(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path,
        postgresql_database,
        models=TABLE.replace("from alembic_utils", "# from alembic_utils"),
        options={"target_metadata": "app.models:metadata", **ENTITY_OPTIONS},
    )
    # a module that fails to import, as an absent alembic-utils does
    (tmp_path / "alembic_utils").mkdir()
    (tmp_path / "alembic_utils" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'alembic_utils'\")\n"
    )
    result = project.alembic("check", check=False, env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode != 0
    message = "lback.entities in "
    line = next(line for line in result.stdout.splitlines() if message in line)
    assert "needs alembic-utils, which is not installed" in line
    assert "pip install 'lback-migrations[postgresql]'" in line
    assert "Traceback" not in result.stderr


def declare_view_reading_cheap_item(database: Database) -> None:
    """A view of the database, declared nowhere, that reads ``cheap_item``."""
    execute(database, "CREATE VIEW cheap_item_ids AS SELECT id FROM cheap_item")


def autogenerate_change(project: AlembicProject, models: str) -> subprocess.CompletedProcess[str]:
    """Write the models and run the stock ``alembic revision --autogenerate``."""
    project.write_models(models)
    return project.alembic("revision", "--autogenerate", "-m", "change", check=False)


@pytest.mark.postgresql
def test_a_replaced_view_whose_columns_change_is_reported_when_a_view_reads_it(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with_entities(tmp_path, postgresql_database)
    change_models(project, WITH_ENTITIES)
    declare_view_reading_cheap_item(postgresql_database)
    result = autogenerate_change(
        project, WITH_ENTITIES.replace("SELECT id, price FROM", "SELECT id FROM")
    )
    assert result.returncode != 0
    [line] = [line for line in result.stdout.splitlines() if " LB109 " in line]
    assert "op.replace_entity drops view public.cheap_item" in line
    assert "view cheap_item_ids depend(s) on it: the DROP fails" in line
    failed = project.alembic("upgrade", "head", check=False)
    assert "cannot drop view cheap_item because other objects depend on it" in failed.stderr


@pytest.mark.postgresql
def test_a_replaced_view_nothing_reads_is_not_reported(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with_entities(tmp_path, postgresql_database)
    change_models(project, WITH_ENTITIES)
    result = autogenerate_change(
        project, WITH_ENTITIES.replace("SELECT id, price FROM", "SELECT id FROM")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "LB109" not in result.stdout
    project.alembic("upgrade", "head")
    assert rows(postgresql_database, "SELECT * FROM cheap_item") == [(1,)]


@pytest.mark.postgresql
def test_a_replaced_view_that_keeps_its_columns_is_not_reported_though_a_view_reads_it(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with_entities(tmp_path, postgresql_database)
    change_models(project, WITH_ENTITIES)
    declare_view_reading_cheap_item(postgresql_database)
    result = autogenerate_change(project, WITH_ENTITIES.replace("price < 10", "price < 100"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "LB109" not in result.stdout
    project.alembic("upgrade", "head")
    assert rows(postgresql_database, "SELECT id FROM cheap_item_ids ORDER BY id") == [(1,), (2,)]


@pytest.mark.postgresql
def test_the_database_says_what_depends_on_a_function_and_a_materialized_view(
    postgresql_database: Database,
) -> None:
    execute(
        postgresql_database,
        "CREATE TABLE item (id integer PRIMARY KEY, price numeric)",
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        "CREATE TRIGGER touch_item BEFORE UPDATE ON item FOR EACH ROW EXECUTE FUNCTION touch()",
        "CREATE MATERIALIZED VIEW total AS SELECT sum(price) AS total FROM item",
        "CREATE INDEX total_total ON total (total)",
    )
    with postgresql_database.connect() as connection:
        found = {entry[:3]: entry for entry in database_dependants(connection)}
    assert found["function", "public", "touch"].blocking == ("trigger touch_item on table item",)
    assert found["materialized_view", "public", "total"].owned == ("index total_total",)


def test_the_declared_entities_say_which_view_reads_a_view_and_which_trigger_calls_a_function() -> (
    None
):
    from alembic_utils.pg_trigger import PGTrigger
    from alembic_utils.pg_view import PGView

    declared = [
        PGView(schema="public", signature="cheap_item", definition="SELECT id FROM item"),
        PGView(schema="public", signature="ids", definition="SELECT id FROM cheap_item"),
        PGFunction(
            schema="public",
            signature="touch()",
            definition="RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        ),
        PGTrigger(
            schema="public",
            signature="touch_item",
            on_entity="public.item",
            definition="BEFORE UPDATE ON public.item FOR EACH ROW EXECUTE FUNCTION touch()",
        ),
    ]
    assert declared_dependants(declared) == (
        EntityDependants("view", "public", "cheap_item", ("view public.ids",)),
        EntityDependants(
            "function", "public", "touch", ("trigger touch_item on table public.item",)
        ),
    )


WITH_TRIGGER_POLICY_AND_MATERIALIZED_VIEW = TABLE.replace(
    "from alembic_utils.pg_view import PGView",
    "from alembic_utils.pg_materialized_view import PGMaterializedView\n"
    "    from alembic_utils.pg_policy import PGPolicy\n"
    "    from alembic_utils.pg_trigger import PGTrigger\n"
    "    from alembic_utils.pg_view import PGView",
).replace(
    "ENTITIES = []",
    """ENTITIES = [
        PGFunction(
            schema="public",
            signature="round_price()",
            definition="RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "NEW.price := round(NEW.price); RETURN NEW; END $$",
        ),
        PGTrigger(
            schema="public",
            signature="round_item_price",
            on_entity="public.item",
            definition="BEFORE INSERT ON public.item FOR EACH ROW "
            "EXECUTE FUNCTION public.round_price()",
        ),
        PGMaterializedView(
            schema="public",
            signature="price_total",
            definition="SELECT sum(price) AS total FROM item",
            with_data=True,
        ),
        PGPolicy(
            schema="public",
            signature="cheap_only",
            on_entity="public.item",
            definition="AS PERMISSIVE FOR SELECT TO public USING (price < 10)",
        ),
    ]""",
)


@pytest.mark.postgresql
def test_triggers_policies_and_materialized_views_are_created_replaced_and_rebuilt(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with_entities(tmp_path, postgresql_database)
    text = change_models(project, WITH_TRIGGER_POLICY_AND_MATERIALIZED_VIEW)
    assert "op.create_entity(public_item_round_item_price)" in text
    assert "op.create_entity(public_price_total)" in text
    assert "op.create_entity(public_item_cheap_only)" in text
    execute(postgresql_database, "INSERT INTO item (id, price) VALUES (3, 2.6)")
    assert rows(postgresql_database, "SELECT price FROM item WHERE id = 3") == [(3,)]
    assert_check_clean(project)
    changed = WITH_TRIGGER_POLICY_AND_MATERIALIZED_VIEW.replace("sum(price)", "max(price)")
    changed = changed.replace("price < 10)", "price < 20)")
    text = change_models(project, changed.replace("BEFORE INSERT ON", "BEFORE INSERT OR UPDATE ON"))
    assert "op.replace_entity(public_price_total)" in text
    assert "op.replace_entity(public_item_round_item_price)" in text
    assert "op.replace_entity(public_item_cheap_only)" in text
    assert rows(postgresql_database, "SELECT total FROM price_total") == [(50,)]
    assert_check_clean(project)
    assert_rebuilds_from_base(project)


WITH_A_VIEW_READING_A_VIEW = WITH_ENTITIES.replace(
    "    ]",
    """    PGView(
            schema="public",
            signature="cheap_item_ids",
            definition="SELECT id FROM cheap_item",
        ),
    ]""",
)


@pytest.mark.postgresql
def test_without_a_database_the_declared_entities_say_what_a_replaced_view_drops(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path,
        postgresql_database,
        models=WITH_A_VIEW_READING_A_VIEW,
        options={"target_metadata": "app.models:metadata", **ENTITY_OPTIONS},
    )
    # nothing listens there: the linter learns nothing from a server
    project.set_main_option("sqlalchemy.url", "postgresql+psycopg://postgres@127.0.0.1:1/none")
    view = 'PGView(schema="public", signature="cheap_item", definition="SELECT {} FROM item")'
    project.write_revision(
        "a1",
        f"public_cheap_item = {view.format('id')}\nop.replace_entity(public_cheap_item)",
        downgrade=f"public_cheap_item = {view.format('id, price')}\n"
        "op.replace_entity(public_cheap_item)",
        header="from alembic_utils.pg_view import PGView",
    )
    result = project.lback("lint", check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "LB109 op.replace_entity drops view public.cheap_item" in result.stdout
    assert "view public.cheap_item_ids depend(s) on it" in result.stdout


def test_the_linter_imports_the_declared_entities_without_registering_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # alembic-utils keeps one registry per process: what lint reads must not be proposed by
    # the next comparison the process runs
    from alembic_utils.replaceable_entity import registry

    from lback_migrations.objects.entities import import_entities

    (tmp_path / "declared_views.py").write_text(
        "from alembic_utils.pg_view import PGView\n"
        'VIEWS = [PGView(schema="public", signature="v", definition="SELECT 1")]\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    before = list(registry.entities())
    (view,) = import_entities(["declared_views:VIEWS"])
    assert view.signature == "v"
    assert list(registry.entities()) == before
