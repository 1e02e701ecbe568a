"""The include_name / include_object builders: what autogenerate reflects, compares and drops."""

from __future__ import annotations

import re
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from lback_migrations.filters import (
    OBJECT_TYPES,
    all_of,
    any_of,
    include_name_filter,
    include_object_filter,
)
from tests.databases import Database
from tests.projects import AlembicProject

# -- include_name: names, before reflection ------------------------------------------------


def make_metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("account", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("event", metadata, sa.Column("id", sa.Integer, primary_key=True), schema="audit")
    return metadata


def table(name: str, schema: str | None = None) -> tuple[str, str, dict[Any, Any]]:
    qualified = f"{schema}.{name}" if schema else name
    return name, "table", {"schema_name": schema, "schema_qualified_table_name": qualified}


def test_the_default_schema_is_always_compared_with_the_listed_ones() -> None:
    include_name = include_name_filter(make_metadata(), schemas=["audit"])
    assert include_name(None, "schema", {})
    assert include_name("audit", "schema", {})
    assert not include_name("reporting", "schema", {})


def test_without_a_schema_list_every_schema_is_compared() -> None:
    include_name = include_name_filter(make_metadata())
    assert include_name("reporting", "schema", {})


def test_only_metadata_tables_match_schema_qualified() -> None:
    include_name = include_name_filter(make_metadata())
    assert include_name(*table("account"))
    assert include_name(*table("event", "audit"))
    assert not include_name(*table("event"))
    assert not include_name(*table("account", "audit"))
    assert not include_name(*table("celery_taskmeta"))


def test_several_metadata_are_one_set_of_tables() -> None:
    other = sa.MetaData()
    sa.Table("invoice", other, sa.Column("id", sa.Integer, primary_key=True))
    include_name = include_name_filter([make_metadata(), other])
    assert include_name(*table("invoice"))
    assert include_name(*table("account"))


def test_table_patterns_match_bare_or_qualified_names_and_exclusion_wins() -> None:
    include_name = include_name_filter(
        include_tables=["app_*", "audit.*"],
        exclude_tables=["*_tmp"],
        only_metadata_tables=False,
    )
    assert include_name(*table("app_user"))
    assert include_name(*table("anything", "audit"))
    assert not include_name(*table("app_user_tmp"))
    assert not include_name(*table("celery_taskmeta"))


def test_names_below_tables_are_left_to_the_table_decision() -> None:
    include_name = include_name_filter(make_metadata())
    assert include_name("id", "column", {"table_name": "account", "schema_name": None})


def test_tables_marked_skip_autogenerate_are_not_reflected() -> None:
    metadata = make_metadata()
    sa.Table("finance_rate", metadata, info={"skip_autogenerate": True})
    assert not include_name_filter(metadata)(*table("finance_rate"))
    assert not include_name_filter(metadata, only_metadata_tables=False)(*table("finance_rate"))
    assert include_name_filter(metadata, only_metadata_tables=False)(*table("other"))


def test_only_metadata_tables_needs_the_metadata() -> None:
    with pytest.raises(ValueError, match="needs target_metadata"):
        include_name_filter()


# -- include_object: whole objects, both sides ----------------------------------------------


def test_a_table_marked_skip_autogenerate_is_left_alone_on_both_sides() -> None:
    metadata = sa.MetaData()
    marked = sa.Table("legacy", metadata, info={"skip_autogenerate": True})
    reflected = sa.Table("legacy", sa.MetaData())
    include_object = include_object_filter()
    assert not include_object(marked, "legacy", "table", False, None)
    assert not include_object(reflected, "legacy", "table", True, marked)
    assert include_object(sa.Table("fresh", metadata), "fresh", "table", False, None)


def test_a_column_marked_skip_autogenerate_is_left_alone() -> None:
    marked = sa.Column("search", sa.Text, info={"skip_autogenerate": True})
    reflected = sa.Column("search", sa.Text)
    include_object = include_object_filter()
    assert not include_object(marked, "search", "column", False, reflected)
    assert not include_object(reflected, "search", "column", True, marked)
    assert include_object(sa.Column("name", sa.Text), "name", "column", False, None)


def test_a_custom_info_key_replaces_skip_autogenerate() -> None:
    marked = sa.Column("c", sa.Text, info={"managed_elsewhere": True})
    include_object = include_object_filter(skip_info_key="managed_elsewhere")
    assert not include_object(marked, "c", "column", False, None)


def test_unknown_tables_are_not_dropped_unless_asked() -> None:
    unknown = sa.Table("celery_taskmeta", sa.MetaData())
    assert not include_object_filter()(unknown, "celery_taskmeta", "table", True, None)
    assert include_object_filter(drop_unknown_tables=True)(
        unknown, "celery_taskmeta", "table", True, None
    )


def test_excluded_object_types_and_names_are_left_alone() -> None:
    include_object = include_object_filter(exclude_types=["index"], exclude_names=["ix_tmp_*"])
    index = sa.Index("ix_account_name", "name")
    assert not include_object(index, "ix_account_name", "index", False, None)
    constraint = sa.UniqueConstraint("name", name="ix_tmp_name")
    assert not include_object(constraint, "ix_tmp_name", "unique_constraint", False, None)
    kept = sa.UniqueConstraint("name", name="uq_account_name")
    assert include_object(kept, "uq_account_name", "unique_constraint", False, None)


def test_unknown_object_types_are_rejected() -> None:
    with pytest.raises(ValueError, match="'indexes'"):
        include_object_filter(exclude_types=["indexes"])
    assert include_object_filter(exclude_types=OBJECT_TYPES)


def test_table_patterns_apply_to_model_tables_too() -> None:
    metadata = sa.MetaData()
    include_object = include_object_filter(include_tables=["app_*"], exclude_tables=["audit.*"])
    scratch = sa.Table("scratch", metadata)
    audited = sa.Table("app_log", metadata, schema="audit")
    kept = sa.Table("app_user", metadata)
    assert not include_object(scratch, "scratch", "table", False, None)
    assert not include_object(audited, "app_log", "table", False, None)
    assert include_object(kept, "app_user", "table", False, None)


# -- composition ---------------------------------------------------------------------------


def recorder(result: bool, calls: list[str], name: str) -> Any:
    def include(*args: Any) -> bool:
        calls.append(name)
        return result

    return include


def test_all_of_includes_what_every_filter_includes_and_stops_at_the_first_no() -> None:
    calls: list[str] = []
    combined = all_of(recorder(True, calls, "a"), recorder(False, calls, "b"))
    assert not combined(*table("t"))
    combined_after = all_of(recorder(False, calls, "c"), recorder(True, calls, "d"))
    assert not combined_after(*table("t"))
    assert calls == ["a", "b", "c"]
    assert all_of(recorder(True, calls, "e"), recorder(True, calls, "f"))(*table("t"))


def test_any_of_includes_what_one_filter_includes_and_stops_at_the_first_yes() -> None:
    calls: list[str] = []
    assert any_of(recorder(False, calls, "a"), recorder(True, calls, "b"))(*table("t"))
    assert any_of(recorder(True, calls, "c"), recorder(True, calls, "d"))(*table("t"))
    assert calls == ["a", "b", "c"]
    assert not any_of(recorder(False, calls, "e"), recorder(False, calls, "f"))(*table("t"))


def test_composed_builders_keep_metadata_tables_minus_a_pattern() -> None:
    include_name = all_of(
        include_name_filter(make_metadata()),
        include_name_filter(exclude_tables=["audit.*"], only_metadata_tables=False),
    )
    assert include_name(*table("account"))
    assert not include_name(*table("event", "audit"))
    either = any_of(
        include_name_filter(make_metadata()),
        include_name_filter(include_tables=["celery_*"], only_metadata_tables=False),
    )
    assert either(*table("celery_taskmeta"))
    assert either(*table("account"))
    assert not either(*table("django_session"))


def test_composition_needs_a_filter() -> None:
    with pytest.raises(ValueError, match="at least one"):
        all_of()
    with pytest.raises(ValueError, match="at least one"):
        any_of()


# -- end to end on real databases, through the stock alembic command ------------------------

PROBE = """
    '''Test-only: record every table SQLAlchemy reflects (its columns) into $REFLECTION_LOG.'''
    import os

    from sqlalchemy import MetaData, Table, event

    metadata = MetaData()


    @event.listens_for(Table, "column_reflect")
    def record(inspector, table, column_info):
        with open(os.environ["REFLECTION_LOG"], "a") as log:
            log.write(table.key + "\\n")
"""
EXAMPLE_METADATA = "billing.models:Base.metadata, billing.audit:metadata"
MODEL_TABLES = {"billing_customer", "billing_invoice", "audit_event"}
UNKNOWN_TABLE_COUNT = 200


def upgrade_code(revision: Path) -> str:
    """The body of ``upgrade()`` in a revision file (``downgrade()`` drops what it creates),
    without whitespace and with single quotes, whatever the formatting hook made of it."""
    text = revision.read_text()
    body = text[text.index("def upgrade(") : text.index("def downgrade(")]
    return re.sub(r"\s+", "", body).replace('"', "'")


class ProbedProject:
    """The shared_database example with a reflection probe in its target metadata list."""

    def __init__(self, root: Path, database: Database, options: dict[str, str]) -> None:
        self.log = root / "reflected.log"
        self.project = AlembicProject.create(
            root / "project",
            database,
            example="shared_database",
            options={"target_metadata": f"{EXAMPLE_METADATA}, probe:metadata", **options},
        )
        (self.project.root / "probe.py").write_text(textwrap.dedent(PROBE))
        self.project.environment["REFLECTION_LOG"] = str(self.log)

    def reflected(self) -> set[str]:
        """The tables reflected since the last call."""
        if not self.log.exists():
            return set()
        tables = set(self.log.read_text().split())
        self.log.unlink()
        return tables


def create_unknown_tables(database: Database, count: int = UNKNOWN_TABLE_COUNT) -> set[str]:
    metadata = sa.MetaData()
    for number in range(count):
        sa.Table(
            f"other_app_{number:03}",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("payload", sa.String(40)),
        )
    with database.connect() as connection:
        metadata.create_all(connection)
    return set(metadata.tables)


def test_unknown_tables_are_neither_reflected_nor_dropped(
    tmp_path: Path, database: Database
) -> None:
    unknown = create_unknown_tables(database)
    probed = ProbedProject(tmp_path, database, {})
    revision = probed.project.autogenerate("billing tables")
    assert revision is not None
    text = upgrade_code(revision)
    assert "drop_table" not in text
    assert "other_app_" not in text
    assert probed.reflected() == set()
    probed.project.alembic("upgrade", "head")
    assert "No new upgrade operations detected" in probed.project.alembic("check").stdout
    assert probed.reflected() == MODEL_TABLES
    assert unknown <= database.table_names()


def test_without_the_name_filter_unknown_tables_are_reflected_but_still_not_dropped(
    tmp_path: Path, database: Database
) -> None:
    unknown = create_unknown_tables(database)
    probed = ProbedProject(tmp_path, database, {"only_metadata_tables": "false"})
    revision = probed.project.autogenerate("billing tables")
    assert revision is not None
    assert "drop_table" not in upgrade_code(revision)
    assert probed.reflected() == unknown
    probed.project.alembic("upgrade", "head")
    probed.project.set_main_option("lback.drop_unknown_tables", "true")
    result = probed.project.alembic("check", check=False)
    assert result.returncode != 0
    assert result.stdout.count("('remove_table', Table('other_app_") == UNKNOWN_TABLE_COUNT


SKIP_MARKER = ', info={"skip_autogenerate": True}'


def test_a_table_marked_skip_autogenerate_is_neither_created_nor_changed(
    tmp_path: Path, database: Database
) -> None:
    with database.connect() as connection:
        connection.execute(sa.text("CREATE TABLE finance_rate (currency CHAR(3), note TEXT)"))
    probed = ProbedProject(tmp_path, database, {})
    revision = probed.project.autogenerate("billing tables")
    assert revision is not None
    assert "finance_rate" not in revision.read_text()
    assert "op.create_table('billing_customer'" in upgrade_code(revision)
    assert "finance_rate" not in probed.reflected()


def test_a_column_marked_skip_autogenerate_is_not_added_back(
    tmp_path: Path, database: Database
) -> None:
    probed = ProbedProject(tmp_path, database, {})
    assert probed.project.autogenerate("billing tables") is not None
    probed.project.alembic("upgrade", "head")
    with database.connect() as connection:
        connection.execute(sa.text("ALTER TABLE billing_customer DROP COLUMN search_text"))
    assert "No new upgrade operations detected" in probed.project.alembic("check").stdout
    models = probed.project.root / "billing" / "models.py"
    source = models.read_text()
    assert source.count(SKIP_MARKER) == 1
    probed.project.write_models(source.replace(SKIP_MARKER, ""), "billing/models.py")
    result = probed.project.alembic("check", check=False)
    assert result.returncode != 0
    assert "('add_column', None, 'billing_customer', Column('search_text'" in result.stdout


PATTERN_MODELS = """
    from sqlalchemy import Column, Integer, MetaData, Table

    metadata = MetaData()
    for name in ("keep_a", "keep_b", "scratch_model"):
        Table(name, metadata, Column("id", Integer, primary_key=True))
"""


def test_include_and_exclude_patterns_decide_what_is_created_and_dropped(
    tmp_path: Path, database: Database
) -> None:
    existing = sa.MetaData()
    for name in ("keep_old", "scratch_db", "other_table"):
        sa.Table(name, existing, sa.Column("id", sa.Integer, primary_key=True))
    with database.connect() as connection:
        existing.create_all(connection)
    project = AlembicProject.create(
        tmp_path / "project",
        database,
        models=PATTERN_MODELS,
        options={
            "target_metadata": "app.models:metadata",
            "only_metadata_tables": "false",
            "drop_unknown_tables": "true",
            "include_tables": "keep_*, scratch_*",
            "exclude_tables": "scratch_*",
        },
    )
    # The lint hook rightly fails a revision that drops a table; the file is written all the same.
    project.alembic("revision", "--autogenerate", "-m", "patterns", check=False)
    (revision,) = project.revision_files()
    text = upgrade_code(revision)
    assert "op.create_table('keep_a'" in text
    assert "op.create_table('keep_b'" in text
    assert "op.drop_table('keep_old')" in text
    assert "scratch_" not in text
    assert "other_table" not in text


# -- a second schema: PostgreSQL schemas, MariaDB databases ---------------------------------


@pytest.fixture(params=["postgresql", "mariadb"])
def schema_database(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue(f"{request.param}_database")  # type: ignore[no-any-return]


def create_schema(database: Database, name: str) -> None:
    keyword = "SCHEMA" if database.backend == "postgresql" else "DATABASE"
    with database.connect() as connection:
        connection.execute(sa.text(f"CREATE {keyword} {name}"))


def drop_schema(database: Database, name: str) -> None:
    statement = (
        f"DROP SCHEMA IF EXISTS {name} CASCADE"
        if database.backend == "postgresql"
        else f"DROP DATABASE IF EXISTS {name}"
    )
    with database.connect() as connection:
        connection.execute(sa.text(statement))


@pytest.fixture
def extra_schemas(schema_database: Database) -> Iterator[tuple[str, str]]:
    """Two schemas besides the default one (on MariaDB, two databases), dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    names = (f"lback_audit_{suffix}", f"lback_other_{suffix}")
    try:
        for name in names:
            create_schema(schema_database, name)
        yield names
    finally:
        for name in names:
            drop_schema(schema_database, name)


def test_tables_in_a_second_schema_are_created_and_compared_and_others_ignored(
    tmp_path: Path, schema_database: Database, extra_schemas: tuple[str, str]
) -> None:
    audit, other = extra_schemas
    with schema_database.connect() as connection:
        connection.execute(sa.text(f"CREATE TABLE {other}.junk (id INTEGER PRIMARY KEY)"))
        connection.execute(sa.text(f"CREATE TABLE {audit}.unknown_audit (id INTEGER PRIMARY KEY)"))
    probed = ProbedProject(tmp_path, schema_database, {"schemas": audit})
    probed.project.environment["BILLING_AUDIT_SCHEMA"] = audit
    revision = probed.project.autogenerate("billing tables")
    assert revision is not None
    text = upgrade_code(revision)
    assert f"schema='{audit}'" in text
    assert "op.create_table('billing_customer'" in text
    for absent in ("junk", "unknown_audit", "drop_table"):
        assert absent not in text
    assert probed.reflected() == set()
    probed.project.alembic("upgrade", "head")
    assert schema_database.table_names(schema=audit) == {"audit_event", "unknown_audit"}
    assert schema_database.table_names(schema=other) == {"junk"}
    assert "No new upgrade operations detected" in probed.project.alembic("check").stdout
    model_tables = {"billing_customer", "billing_invoice", f"{audit}.audit_event"}
    assert probed.reflected() == model_tables
    # Without the metadata filter, the schema allow-list alone keeps the other schema out.
    probed.project.set_main_option("lback.only_metadata_tables", "false")
    assert "No new upgrade operations detected" in probed.project.alembic("check").stdout
    assert probed.reflected() == model_tables | {f"{audit}.unknown_audit"}
