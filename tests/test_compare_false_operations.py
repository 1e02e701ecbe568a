"""After a history created exactly what the model means, the ``lback`` template's comparison
reports nothing where stock Alembic reports a change; a real change is still reported.

Each test creates a small schema (what a history made), compares a model against it, and
states both what stock Alembic says and what the template says.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.ext.compiler import compiles

from tests.autogenerate import differences, table
from tests.databases import Database


class SampleFloat(sa.Float):  # type: ignore[type-arg]
    """A project's float whose MariaDB DDL a ``@compiles`` hook writes as ``FLOAT(32)``."""

    cache_ok = True


class NarrowFloat(sa.Float):  # type: ignore[type-arg]
    """A project's float whose MariaDB DDL a ``@compiles`` hook writes as ``FLOAT(10)``."""

    cache_ok = True


@compiles(SampleFloat, "mysql")
def _sample_float_ddl(type_: Any, compiler: Any, **keywords: Any) -> str:
    return "FLOAT(32)"


@compiles(NarrowFloat, "mysql")
def _narrow_float_ddl(type_: Any, compiler: Any, **keywords: Any) -> str:
    return "FLOAT(10)"


def kinds(diffs: list[Any]) -> list[str]:
    """The operation names of a diff list (``modify_type``, ``add_index``, ...)."""
    flat = [item for diff in diffs for item in (diff if isinstance(diff, list) else [diff])]
    return [item[0] for item in flat]


IDENTITY = table(
    sa.Column("number", sa.BigInteger, sa.Identity(start=5), nullable=False), name="ticket"
)


SQLITE_AND_MARIADB = pytest.mark.parametrize("database", ["sqlite", "mariadb"], indirect=True)
"""Run a test on the backends without identity columns and with reflection that loses
index text: SQLite and MariaDB."""


@SQLITE_AND_MARIADB
def test_identity_on_a_dialect_without_identity_columns_is_not_a_default_change(
    database: Database,
) -> None:
    assert kinds(differences(database, IDENTITY, stock=True, compare_server_default=True)) == [
        "modify_default"
    ]
    assert differences(database, IDENTITY) == []


def test_identity_options_on_postgresql_are_still_compared(postgresql_database: Database) -> None:
    restarted = table(
        sa.Column("number", sa.BigInteger, sa.Identity(start=10), nullable=False), name="ticket"
    )
    assert differences(postgresql_database, IDENTITY) == []
    assert kinds(differences(postgresql_database, IDENTITY, restarted)) == ["modify_default"]


def descending_text_index(item: sa.Table) -> None:
    sa.Index("ix_item_name", sa.text("name DESC"), _table=item)


def ascending_index(item: sa.Table) -> None:
    sa.Index("ix_item_name", item.c.name)


NAME = sa.Column("name", sa.String(40))
DESCENDING = table(NAME, descending_text_index)


def test_text_index_sqlite_holds_is_not_recreated(sqlite_database: Database) -> None:
    assert kinds(differences(sqlite_database, DESCENDING, stock=True)) == [
        "remove_index",
        "add_index",
    ]
    assert differences(sqlite_database, DESCENDING) == []


def test_text_index_mariadb_holds_is_not_recreated(mariadb_database: Database) -> None:
    assert kinds(differences(mariadb_database, DESCENDING, stock=True)) == [
        "remove_index",
        "add_index",
    ]
    assert differences(mariadb_database, DESCENDING) == []


@SQLITE_AND_MARIADB
def test_text_index_with_another_ordering_is_recreated(database: Database) -> None:
    ascending = table(NAME, ascending_index)
    assert kinds(differences(database, ascending, DESCENDING)) == ["remove_index", "add_index"]


def postgresql_only(item: sa.Table) -> None:
    sa.Index("ix_item_name", item.c.name).ddl_if(dialect="postgresql")
    sa.UniqueConstraint(item.c.name, name="uq_item_name").ddl_if(dialect="postgresql")


CONDITIONAL = table(NAME, postgresql_only)


@SQLITE_AND_MARIADB
def test_objects_ddl_if_leaves_out_of_this_dialect_are_not_proposed(database: Database) -> None:
    assert kinds(differences(database, CONDITIONAL, stock=True)) == ["add_index", "add_constraint"]
    assert differences(database, CONDITIONAL) == []


def test_objects_ddl_if_keeps_for_this_dialect_are_proposed(postgresql_database: Database) -> None:
    assert sorted(kinds(differences(postgresql_database, table(NAME), CONDITIONAL))) == [
        "add_constraint",
        "add_index",
    ]


def test_sqlite_float_and_double_are_one_storage_class(sqlite_database: Database) -> None:
    history = table(sa.Column("price", sa.Float()))
    model = table(sa.Column("price", sa.Double()))
    assert kinds(differences(sqlite_database, history, model, stock=True)) == ["modify_type"]
    assert differences(sqlite_database, history, model) == []


def test_sqlite_integer_to_double_is_reported(sqlite_database: Database) -> None:
    history = table(sa.Column("price", sa.Integer()))
    model = table(sa.Column("price", sa.Double()))
    assert kinds(differences(sqlite_database, history, model)) == ["modify_type"]


def test_type_is_judged_by_the_ddl_its_compiles_hook_writes(mariadb_database: Database) -> None:
    hooked = table(sa.Column("ratio", SampleFloat()))
    assert kinds(differences(mariadb_database, hooked, stock=True)) == ["modify_type"]
    assert differences(mariadb_database, hooked) == []


def test_compiles_hook_writing_another_width_is_reported(mariadb_database: Database) -> None:
    history = table(sa.Column("ratio", SampleFloat()))
    model = table(sa.Column("ratio", NarrowFloat()))
    assert kinds(differences(mariadb_database, history, model)) == ["modify_type"]


@pytest.mark.parametrize(
    ("type_", "stored"),
    [
        (sa.LargeBinary(65536), "MEDIUMBLOB"),
        (sa.LargeBinary(2**24), "LONGBLOB"),
        (sa.Text(70000), "MEDIUMTEXT"),
        (sa.Text(2**24), "LONGTEXT"),
        (sa.UnicodeText(20000), "MEDIUMTEXT"),
    ],
)
def test_mariadb_size_families_are_the_sized_type(
    mariadb_database: Database, type_: Any, stored: str
) -> None:
    sized = table(sa.Column("body", type_))
    diffs = differences(mariadb_database, sized, stock=True)
    assert kinds(diffs) == ["modify_type"]
    assert type(diffs[0][0][-2]).__name__ == stored
    assert differences(mariadb_database, sized) == []


def test_mariadb_size_family_change_is_reported(mariadb_database: Database) -> None:
    history = table(sa.Column("body", sa.LargeBinary(300)))
    model = table(sa.Column("body", sa.LargeBinary(65536)))
    assert differences(mariadb_database, history, model, stock=True) == []
    assert kinds(differences(mariadb_database, history, model)) == ["modify_type"]


def parent_and_child(engine: str) -> Any:
    def build() -> sa.MetaData:
        metadata = sa.MetaData()
        sa.Table(
            "parent", metadata, sa.Column("id", sa.Integer, primary_key=True), mysql_engine=engine
        )
        sa.Table(
            "child",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("parent_id", sa.ForeignKey("parent.id")),
            mysql_engine=engine,
        )
        return metadata

    return build


def test_foreign_keys_myisam_ignores_are_not_proposed_and_said_once(
    mariadb_database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    myisam = parent_and_child("MyISAM")
    assert kinds(differences(mariadb_database, myisam, stock=True)) == ["add_fk"]
    with caplog.at_level(logging.WARNING, logger="lback_migrations"):
        assert differences(mariadb_database, myisam) == []
    warnings = [record.getMessage() for record in caplog.records]
    assert warnings == [
        "table child uses the MyISAM engine, which ignores foreign keys: its 1 foreign key(s) "
        "in the model are not compared"
    ]


def test_missing_foreign_key_on_innodb_is_reported(mariadb_database: Database) -> None:
    def without_key() -> sa.MetaData:
        metadata: sa.MetaData = parent_and_child("InnoDB")()
        child = metadata.tables["child"]
        child.constraints -= set(child.foreign_key_constraints)
        child.c.parent_id.foreign_keys.clear()
        return metadata

    assert kinds(differences(mariadb_database, without_key, parent_and_child("InnoDB"))) == [
        "add_fk"
    ]


def test_postgresql_interval_default_in_another_spelling_is_the_same(
    postgresql_database: Database,
) -> None:
    interval = table(sa.Column("grace", sa.Interval(), server_default="0"))
    assert differences(postgresql_database, interval) == []


def test_postgresql_interval_default_change_is_reported(postgresql_database: Database) -> None:
    history = table(sa.Column("grace", sa.Interval(), server_default="0"))
    model = table(sa.Column("grace", sa.Interval(), server_default="1 day"))
    assert kinds(differences(postgresql_database, history, model)) == ["modify_default"]


STATUS = sa.Enum("new", "done", name="status", native_enum=False, create_constraint=True)


def test_non_native_enum_in_a_wider_varchar_is_the_same(database: Database) -> None:
    history = table(sa.Column("status", sa.String(255)))
    model = table(sa.Column("status", STATUS))
    assert kinds(differences(database, history, model, stock=True)) == ["modify_type"]
    assert differences(database, history, model) == []


def test_non_native_enum_too_long_for_its_varchar_is_reported(database: Database) -> None:
    history = table(sa.Column("status", sa.String(3)))
    model = table(sa.Column("status", STATUS))
    assert kinds(differences(database, history, model)) == ["modify_type"]


def test_non_native_enum_with_an_explicit_other_length_is_reported(database: Database) -> None:
    history = table(sa.Column("status", sa.String(255)))
    model = table(sa.Column("status", sa.Enum("new", "done", native_enum=False, length=20)))
    assert kinds(differences(database, history, model)) == ["modify_type"]


def test_tinyint_one_is_boolean_on_mariadb_already_in_stock_alembic(
    mariadb_database: Database,
) -> None:
    history = table(sa.Column("flag", mysql.TINYINT(1)))
    model = table(sa.Column("flag", sa.Boolean()))
    assert differences(mariadb_database, history, model, stock=True) == []
    assert differences(mariadb_database, history, model) == []
