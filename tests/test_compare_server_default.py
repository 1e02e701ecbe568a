"""Server defaults are compared by meaning: identical defaults as each backend reflects them
compare equal, changed defaults are reported."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate.api import AutogenContext
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from alembic.util import PriorityDispatchResult

from lback_migrations.compare import NormalisedDefault, parse_sql_default
from lback_migrations.compare.server_default import compare_column_server_default
from tests.databases import Database
from tests.projects import AlembicProject


class Colour(enum.Enum):
    red = "red"
    green = "green"


ColumnFactory = Callable[[str], "sa.Column[Any]"]


@dataclass(frozen=True)
class Case:
    """A column created with ``same`` and compared with ``same`` (equal) and ``changed``."""

    name: str
    same: ColumnFactory
    changed: ColumnFactory
    backends: tuple[str, ...] = ("sqlite", "postgresql", "mariadb")


def string(default: Any, length: int = 20) -> ColumnFactory:
    return lambda name: sa.Column(name, sa.String(length), server_default=default)


def typed(type_: Callable[[], Any], default: Any) -> ColumnFactory:
    return lambda name: sa.Column(name, type_(), server_default=default)


CASES = (
    Case("plain_string", string("a"), string("b")),
    Case("quote_in_string", string("it's"), string("it is")),
    Case("empty_string", string(""), string(" ")),
    Case("parentheses_in_string", string("(a)"), string("a")),
    Case("cast_lookalike_in_string", string("a::b"), string("a")),
    Case("string_as_sql", string(sa.text("'x'")), string(sa.text("'y'"))),
    Case("text_column", typed(sa.Text, "hello"), typed(sa.Text, "bye")),
    Case("boolean_true", typed(sa.Boolean, sa.true()), typed(sa.Boolean, sa.false())),
    Case("boolean_false", typed(sa.Boolean, sa.false()), typed(sa.Boolean, sa.true())),
    Case("boolean_string_zero", typed(sa.Boolean, "0"), typed(sa.Boolean, "1")),
    Case(
        "boolean_sql_one",
        typed(sa.Boolean, sa.text("1")),
        typed(sa.Boolean, sa.text("0")),
        backends=("sqlite", "mariadb"),
    ),
    Case("integer_string", typed(sa.Integer, "0"), typed(sa.Integer, "1")),
    Case("integer_sql", typed(sa.BigInteger, sa.text("7")), typed(sa.BigInteger, sa.text("8"))),
    Case("negative_integer", typed(sa.Integer, "-1"), typed(sa.Integer, "1")),
    Case(
        "decimal_zero",
        typed(lambda: sa.Numeric(10, 2), "0"),
        typed(lambda: sa.Numeric(10, 2), "0.5"),
    ),
    Case(
        "decimal_sql",
        typed(lambda: sa.Numeric(5, 2), sa.text("1.50")),
        typed(lambda: sa.Numeric(5, 2), sa.text("1.25")),
    ),
    Case("float_zero", typed(sa.Float, "0.0"), typed(sa.Float, "1.0")),
    Case(
        "now",
        typed(sa.DateTime, sa.func.now()),
        typed(sa.DateTime, "2020-01-01 00:00:00"),
    ),
    Case(
        "current_timestamp",
        typed(lambda: sa.DateTime(timezone=True), sa.text("CURRENT_TIMESTAMP")),
        typed(lambda: sa.DateTime(timezone=True), "2020-01-01 00:00:00"),
    ),
    Case(
        "datetime_literal",
        typed(sa.DateTime, "2020-01-01 00:00:00"),
        typed(sa.DateTime, "2020-01-02 00:00:00"),
    ),
    Case("date_literal", typed(sa.Date, "2020-01-01"), typed(sa.Date, "2021-01-01")),
    Case("time_literal", typed(sa.Time, "12:00:00"), typed(sa.Time, "13:00:00")),
    Case("null", string(sa.text("NULL")), string("x")),
    Case(
        "native_enum",
        typed(lambda: sa.Enum(Colour, name="colour"), "red"),
        typed(lambda: sa.Enum(Colour, name="colour"), "green"),
    ),
)


def cases_for(backend: str) -> list[Case]:
    return [case for case in CASES if backend in case.backends]


@contextmanager
def reflected_columns(database: Database) -> Iterator[tuple[sa.Connection, sa.Table]]:
    """Create one table holding every case's ``same`` column and yield it as reflected."""
    metadata = sa.MetaData()
    sa.Table(
        "defaults",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        *(case.same(case.name) for case in cases_for(database.backend)),
    )
    with database.connect() as connection:
        metadata.create_all(connection)
        yield connection, sa.Table("defaults", sa.MetaData(), autoload_with=connection)


def lback_verdict(
    connection: sa.Connection, inspected: sa.Column[Any], model: sa.Column[Any]
) -> str:
    """``same``, ``changed`` or ``deferred``: what the lback plugin comparator decides."""
    sa.Table("defaults", sa.MetaData(), model)
    context = MigrationContext.configure(connection, opts={"compare_server_default": True})
    operation = ops.AlterColumnOp("defaults", model.name)
    result = compare_column_server_default(
        AutogenContext(context), operation, None, "defaults", model.name, inspected, model
    )
    if result is PriorityDispatchResult.CONTINUE:
        return "deferred"
    return "same" if operation.modify_server_default is False else "changed"


def test_identical_defaults_compare_equal(database: Database) -> None:
    with reflected_columns(database) as (connection, table):
        verdicts = {
            case.name: lback_verdict(connection, table.c[case.name], case.same(case.name))
            for case in cases_for(database.backend)
        }
    assert {name for name, verdict in verdicts.items() if verdict != "same"} == set()


def test_changed_defaults_are_reported(database: Database) -> None:
    with reflected_columns(database) as (connection, table):
        verdicts = {
            case.name: lback_verdict(connection, table.c[case.name], case.changed(case.name))
            for case in cases_for(database.backend)
        }
    assert {name for name, verdict in verdicts.items() if verdict != "changed"} == set()


def stock_reports_change(
    connection: sa.Connection, inspected: sa.Column[Any], model: sa.Column[Any]
) -> bool:
    """What Alembic's own dialect comparison says about two defaults (a crash counts as yes)."""
    sa.Table("defaults", sa.MetaData(), model)
    context = MigrationContext.configure(connection)
    default = model.server_default
    assert isinstance(default, sa.DefaultClause)
    rendered = (
        default.arg
        if isinstance(default.arg, str)
        else str(default.arg.compile(dialect=connection.dialect))
    )
    assert isinstance(inspected.server_default, sa.DefaultClause)
    reflected = str(inspected.server_default.arg.text)  # type: ignore[union-attr]
    try:
        with connection.begin_nested():
            return bool(context.impl.compare_server_default(inspected, model, rendered, reflected))  # type: ignore[no-untyped-call]
    except sa.exc.DBAPIError:
        return True


STOCK_FALSE_POSITIVES = {
    "sqlite": {"quote_in_string", "empty_string", "parentheses_in_string"},
    "postgresql": {"quote_in_string"},  # by a syntax error in the SQL it runs
    "mariadb": {
        "quote_in_string",
        "empty_string",
        "boolean_true",
        "boolean_false",
        "decimal_zero",
        "float_zero",
        "now",
        "datetime_literal",
        "date_literal",
        "time_literal",
    },
}


def test_stock_alembic_reports_these_identical_defaults_as_changed(database: Database) -> None:
    """The false positives the normalisation exists for, as measured on Alembic 1.20."""
    with reflected_columns(database) as (connection, table):
        flagged = {
            case.name
            for case in cases_for(database.backend)
            if case.name != "null"  # MariaDB reflects no default at all for NULL
            and stock_reports_change(connection, table.c[case.name], case.same(case.name))
        }
    assert flagged == STOCK_FALSE_POSITIVES[database.backend]


def test_differently_spelled_expressions_are_compared_by_postgresql(
    postgresql_database: Database,
) -> None:
    same = typed(sa.DateTime, sa.text("now() + interval '1 day'"))
    changed = typed(sa.DateTime, sa.text("now() + interval '2 days'"))
    metadata = sa.MetaData()
    sa.Table("defaults", metadata, sa.Column("id", sa.Integer(), primary_key=True), same("due"))
    with postgresql_database.connect() as connection:
        metadata.create_all(connection)
        inspected = sa.Table("defaults", sa.MetaData(), autoload_with=connection).c.due
        assert lback_verdict(connection, inspected, same("due")) == "same"
        assert lback_verdict(connection, inspected, changed("due")) == "changed"
        assert stock_reports_change(connection, inspected, same("due")) is False


def test_expressions_postgresql_cannot_compare_are_left_to_alembic(
    postgresql_database: Database,
) -> None:
    created = typed(sa.DateTime, sa.text("now()"))
    metadata = sa.MetaData()
    sa.Table("defaults", metadata, sa.Column("id", sa.Integer(), primary_key=True), created("due"))
    with postgresql_database.connect() as connection:
        metadata.create_all(connection)
        inspected = sa.Table("defaults", sa.MetaData(), autoload_with=connection).c.due
        unknown_function = typed(sa.DateTime, sa.text("no_such_function()"))
        assert lback_verdict(connection, inspected, unknown_function("due")) == "deferred"


def test_computed_columns_are_left_to_alembic(database: Database) -> None:
    metadata = sa.MetaData()
    model = sa.Column("doubled", sa.Integer(), sa.Computed("base * 2", persisted=True))
    sa.Table(
        "defaults",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("base", sa.Integer()),
        model,
    )
    with database.connect() as connection:
        metadata.create_all(connection)
        inspected = sa.Table("defaults", sa.MetaData(), autoload_with=connection).c.doubled
        assert isinstance(inspected.server_default, sa.Computed)
        context = MigrationContext.configure(connection, opts={"compare_server_default": True})
        result = compare_column_server_default(
            AutogenContext(context),
            ops.AlterColumnOp("defaults", "doubled"),
            None,
            "defaults",
            "doubled",
            inspected,
            model,
        )
    assert result is PriorityDispatchResult.CONTINUE


IDENTITY_MODELS = """
    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Ticket(Base):
        __tablename__ = "ticket"
        id: Mapped[int] = mapped_column(sa.Identity(start=100), primary_key=True)
        seat: Mapped[int] = mapped_column(server_default="1")
        row_seat: Mapped[int | None] = mapped_column(sa.Computed("seat + 1000", persisted=True))
"""


def test_identity_and_computed_columns_round_trip_on_postgresql(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        postgresql_database,
        models=IDENTITY_MODELS,
        options={"target_metadata": "app.models:Base.metadata"},
    )
    project.autogenerate("create ticket")
    project.alembic("upgrade", "head")
    result = project.alembic("check", check=False)
    assert result.returncode == 0, result.stderr


def test_compare_server_default_false_ignores_default_changes(
    tmp_path: Path, sqlite_database: Database
) -> None:
    models = """
        import sqlalchemy as sa
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        class Base(DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = "item"
            id: Mapped[int] = mapped_column(primary_key=True)
            code: Mapped[str] = mapped_column(sa.String(10), server_default="{default}")
    """
    project = AlembicProject.create(
        tmp_path / "project",
        sqlite_database,
        models=models.format(default="a"),
        options={
            "target_metadata": "app.models:Base.metadata",
            "compare_server_default": "false",
        },
    )
    project.autogenerate("create item")
    project.alembic("upgrade", "head")
    project.write_models(models.format(default="b"))
    assert project.alembic("check", check=False).returncode == 0


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("'it''s'::character varying", NormalisedDefault("string", "it's")),
        ("('')", NormalisedDefault("string", "")),
        ("'(a)'", NormalisedDefault("string", "(a)")),
        ("'a::b'::text", NormalisedDefault("string", "a::b")),
        ("(-1)::integer", NormalisedDefault("number", Decimal(-1))),
        ("'{}'::integer[]", NormalisedDefault("string", "{}")),
        ("NULL::character varying", NormalisedDefault("null", None)),
        ("TRUE", NormalisedDefault("boolean", True)),
        ("now()", NormalisedDefault("expression", "current_timestamp")),
        ("current_timestamp()", NormalisedDefault("expression", "current_timestamp")),
        (
            "current_timestamp() ON UPDATE current_timestamp()",
            NormalisedDefault("expression", "current_timestamp on update current_timestamp"),
        ),
        ("(lower('ABC'))", NormalisedDefault("expression", "lower('ABC')")),
        (None, NormalisedDefault("null", None)),
    ],
)
def test_parse_sql_default_reads_what_backends_write(
    sql: str | None, expected: NormalisedDefault
) -> None:
    assert parse_sql_default(sql) == expected
