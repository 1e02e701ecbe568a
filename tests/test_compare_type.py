"""Type rules remove the false type changes stock Alembic reports, and only those; user
callables come first; ``lback.type_rules`` selects both."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext

from lback_migrations.compare import (
    DEFAULT_TYPE_RULES,
    register_type_rule,
    type_comparator,
    type_rule_names,
)
from lback_migrations.compare.type import (
    float_precision,
    mysql_national_charset,
    sqlite_declared_type,
)
from lback_migrations.errors import ConfigurationError
from tests.databases import Database
from tests.projects import AlembicProject


@contextmanager
def reflected(
    database: Database, *columns: sa.Column[Any]
) -> Iterator[tuple[MigrationContext, sa.Table]]:
    """Create a table of ``columns`` and yield a migration context and the table as reflected."""
    metadata = sa.MetaData()
    sa.Table("typed", metadata, sa.Column("id", sa.Integer(), primary_key=True), *columns)
    with database.connect() as connection:
        metadata.create_all(connection)
        table = sa.Table("typed", sa.MetaData(), autoload_with=connection)
        yield MigrationContext.configure(connection), table


def model_column(type_: sa.types.TypeEngine[Any], name: str = "value") -> sa.Column[Any]:
    column: sa.Column[Any] = sa.Column(name, type_)
    sa.Table("typed", sa.MetaData(), column)
    return column


def verdicts(
    rule: Any, database: Database, created: sa.types.TypeEngine[Any], model: Any
) -> tuple[bool | None, bool]:
    """(the rule's answer, stock Alembic's answer) for a column created as ``created`` and
    modelled as ``model``."""
    with reflected(database, sa.Column("value", created)) as (context, table):
        inspected = table.c.value
        modelled = model_column(model)
        answer = rule(context, inspected, modelled, inspected.type, modelled.type)
        stock = context.impl.compare_type(inspected, modelled)
    return answer, stock


def decided(database: Database, created: Any, model: Any, rules: Any = None) -> bool:
    """What autogenerate decides with :func:`type_comparator`: its answer, else Alembic's."""
    with reflected(database, sa.Column("value", created)) as (context, table):
        inspected = table.c.value
        modelled = model_column(model)
        compare = type_comparator(rules)
        answer = compare(context, inspected, modelled, inspected.type, modelled.type)
        return context.impl.compare_type(inspected, modelled) if answer is None else answer


def test_float_precision_single_is_real_on_postgresql(postgresql_database: Database) -> None:
    assert verdicts(float_precision, postgresql_database, sa.Float(10), sa.Float(10)) == (
        False,
        True,
    )


def test_float_precision_double_is_double_on_mariadb(mariadb_database: Database) -> None:
    assert verdicts(float_precision, mariadb_database, sa.Float(53), sa.Float(53)) == (
        False,
        True,
    )


def test_float_precision_real_is_double_on_mariadb(mariadb_database: Database) -> None:
    assert verdicts(float_precision, mariadb_database, sa.REAL(), sa.REAL()) == (False, True)


@pytest.mark.parametrize(
    ("backend_fixture", "created", "model"),
    [
        ("postgresql_database", sa.Float(10), sa.Float(53)),
        ("mariadb_database", sa.Float(53), sa.Float(10)),
        ("mariadb_database", sa.Float(10), sa.REAL()),
    ],
)
def test_float_precision_leaves_a_width_change_to_alembic(
    request: pytest.FixtureRequest, backend_fixture: str, created: Any, model: Any
) -> None:
    database = request.getfixturevalue(backend_fixture)
    assert verdicts(float_precision, database, created, model) == (None, True)


def test_mysql_national_charset_nvarchar_is_utf8mb3_varchar(mariadb_database: Database) -> None:
    assert verdicts(mysql_national_charset, mariadb_database, sa.NVARCHAR(40), sa.NVARCHAR(40)) == (
        False,
        True,
    )


def test_mysql_national_charset_nchar_is_utf8mb3_char(mariadb_database: Database) -> None:
    assert verdicts(mysql_national_charset, mariadb_database, sa.NCHAR(3), sa.NCHAR(3)) == (
        False,
        True,
    )


def test_mysql_national_charset_leaves_a_length_change_to_alembic(
    mariadb_database: Database,
) -> None:
    assert verdicts(mysql_national_charset, mariadb_database, sa.NVARCHAR(40), sa.NVARCHAR(50)) == (
        None,
        True,
    )


def test_sqlite_declared_type_binary_is_not_numeric(sqlite_database: Database) -> None:
    assert verdicts(sqlite_declared_type, sqlite_database, sa.BINARY(16), sa.BINARY(16)) == (
        False,
        True,
    )


@pytest.mark.parametrize("model", [sa.BINARY(32), sa.VARBINARY(16)])
def test_sqlite_declared_type_reports_a_changed_declaration(
    sqlite_database: Database, model: Any
) -> None:
    answer, _ = verdicts(sqlite_declared_type, sqlite_database, sa.BINARY(16), model)
    assert answer is True


def test_sqlite_declared_type_reads_through_variants_and_type_decorators(
    sqlite_database: Database,
) -> None:
    class Checksum(sa.types.TypeDecorator[bytes]):
        impl = sa.LargeBinary(16).with_variant(sa.BINARY(16), "sqlite")
        cache_ok = True

    answer, stock = verdicts(sqlite_declared_type, sqlite_database, sa.BINARY(16), Checksum())
    assert (answer, stock) == (False, True)


@pytest.mark.parametrize(
    ("created", "model"),
    [
        (sa.String(50), sa.String(80)),
        (sa.Integer(), sa.String(20)),
        (sa.Boolean(), sa.Integer()),
        (sa.Numeric(10, 2), sa.Numeric(12, 2)),
        (sa.Text(), sa.String(40)),
    ],
    ids=["length", "integer-to-string", "boolean-to-integer", "precision", "text-to-string"],
)
def test_real_type_changes_are_reported(database: Database, created: Any, model: Any) -> None:
    assert decided(database, created, model) is True


@pytest.mark.parametrize(
    "type_",
    [
        sa.String(50),
        sa.Unicode(30),
        sa.Text(),
        sa.Boolean(),
        sa.Enum("a", "bb", name="ab"),
        sa.Enum("a", "bb", name="ab2", native_enum=False),
        sa.JSON(),
        sa.Numeric(10, 2),
        sa.Float(),
        sa.Double(),
        sa.DateTime(),
        sa.DateTime(timezone=True),
        sa.Date(),
        sa.Time(),
        sa.Uuid(),
        sa.LargeBinary(),
        sa.Interval(),
        sa.BigInteger(),
        sa.SmallInteger(),
    ],
    ids=repr,
)
def test_unchanged_types_are_not_reported(database: Database, type_: Any) -> None:
    assert decided(database, type_, type_) is False


def always_changed(*arguments: Any) -> bool:
    return True


def test_user_callables_run_before_rules(postgresql_database: Database) -> None:
    assert decided(postgresql_database, sa.Float(10), sa.Float(10)) is False
    assert decided(postgresql_database, sa.Float(10), sa.Float(10), [always_changed]) is True
    assert (
        decided(
            postgresql_database,
            sa.Float(10),
            sa.Float(10),
            ["float_precision", f"{__name__}:always_changed"],
        )
        is True
    )


def test_no_rules_leaves_every_decision_to_alembic(postgresql_database: Database) -> None:
    assert decided(postgresql_database, sa.Float(10), sa.Float(10), []) is True


def test_default_names_the_default_set() -> None:
    assert set(DEFAULT_TYPE_RULES) <= set(type_rule_names())
    assert "float_precision" in DEFAULT_TYPE_RULES


def test_registered_rule_can_be_selected_by_name(sqlite_database: Database) -> None:
    @register_type_rule("test_integers_are_strings")
    def integers_are_strings(
        context: Any, inspected_column: Any, metadata_column: Any, inspected: Any, model: Any
    ) -> bool | None:
        if isinstance(inspected, sa.Integer) and isinstance(model, sa.String):
            return False
        return None

    assert "test_integers_are_strings" in type_rule_names()
    rules = ["default", "test_integers_are_strings"]
    assert decided(sqlite_database, sa.Integer(), sa.String(20), rules) is False
    assert decided(sqlite_database, sa.Integer(), sa.String(20)) is True


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("no_such_rule", "unknown type rule 'no_such_rule'"),
        ("no_such_module_xyz:compare", "cannot import 'no_such_module_xyz:compare'"),
        (f"{__name__}:missing", f"cannot import '{__name__}:missing'"),
        (f"{__name__}:DEFAULT_TYPE_RULES", "is not callable"),
    ],
)
def test_bad_entries_name_the_setting(entry: str, problem: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        type_comparator([entry], source="alembic.ini")
    assert raised.value.key == "lback.type_rules"
    assert problem in str(raised.value)
    assert "alembic.ini" in str(raised.value)


MODELS = """
    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "item"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String({length}))
"""

RULES = """
    def names_never_change(context, inspected_column, metadata_column, inspected, model):
        return False if metadata_column.name == "name" else None
"""


def item_project(root: Path, database: Database, **options: str) -> AlembicProject:
    project = AlembicProject.create(
        root,
        database,
        models=MODELS.format(length=50),
        options={"target_metadata": "app.models:Base.metadata", **options},
    )
    project.write_models(RULES, module="app/rules.py")
    return project


def test_type_rules_in_alembic_ini_import_user_callables(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = item_project(
        tmp_path / "project", sqlite_database, type_rules="default, app.rules:names_never_change"
    )
    project.autogenerate("create item")
    project.alembic("upgrade", "head")
    project.write_models(MODELS.format(length=80))
    assert project.alembic("check", check=False).returncode == 0
    project.set_main_option("lback.type_rules", "default")
    assert project.alembic("check", check=False).returncode != 0


def test_unknown_type_rule_in_alembic_ini_fails_naming_the_key(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = item_project(tmp_path / "project", sqlite_database, type_rules="float_precison")
    result = project.alembic("check", check=False)
    assert result.returncode != 0
    assert "lback.type_rules" in result.stderr
    assert "unknown type rule 'float_precison'" in result.stderr
