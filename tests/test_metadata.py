"""``lback.target_metadata``: importing one or several MetaData objects."""

from __future__ import annotations

import re
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.util import CommandError

from lback_migrations.errors import ConfigurationError, DuplicateTableError
from lback_migrations.metadata import import_metadata, import_target_metadata
from tests.databases import Database
from tests.projects import AlembicProject

MODELS = """
    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Account(Base):
        __tablename__ = "account"
        id: Mapped[int] = mapped_column(primary_key=True)


    alias = Base.metadata
    audit = sa.MetaData(schema="audit")
    sa.Table("account", audit, sa.Column("id", sa.Integer, primary_key=True))
    legacy = sa.MetaData()
    sa.Table("account", legacy, sa.Column("id", sa.Integer, primary_key=True))
    not_metadata = 42
"""


@pytest.fixture
def models(tmp_path: Path) -> Iterator[str]:
    """The name of a fresh, importable module holding :data:`MODELS`."""
    name = f"models_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(MODELS))
    sys.path.insert(0, str(tmp_path))
    try:
        yield name
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


def test_a_metadata_attribute_chain_is_imported(models: str) -> None:
    metadata = import_metadata(f"{models}:Base.metadata")
    assert set(metadata.tables) == {"account"}


@pytest.mark.parametrize(
    ("path", "problem", "fix"),
    [
        ("{m}.Base.metadata", "'{m}.Base.metadata' is not an import path", "module.path:attribute"),
        ("{m}_missing:metadata", "cannot import '{m}_missing' (No module named", "sys.path"),
        ("{m}:Base.metadta", "{m}:Base has no attribute 'metadta'", "an attribute that exists"),
        ("{m}:Base", "{m}:Base is the class Base, not a sqlalchemy MetaData", "{m}:Base.metadata"),
        (
            "{m}:not_metadata",
            "{m}:not_metadata is of type int, not a sqlalchemy",
            "a MetaData object",
        ),
    ],
)
def test_a_wrong_path_is_a_configuration_error_naming_key_and_fix(
    models: str, path: str, problem: str, fix: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        import_metadata(path.format(m=models), source="alembic.ini")
    error = raised.value
    assert isinstance(error, CommandError)
    assert error.key == "lback.target_metadata"
    assert str(error).startswith("lback.target_metadata in alembic.ini: ")
    assert problem.format(m=models) in error.problem
    assert fix.format(m=models) in error.fix
    assert "\n" not in str(error)


def test_several_metadata_are_returned_in_order(models: str) -> None:
    loaded = import_target_metadata([f"{models}:audit", f"{models}:Base.metadata"])
    assert [set(metadata.tables) for metadata in loaded] == [{"audit.account"}, {"account"}]


def test_one_metadata_listed_twice_or_by_two_paths_is_kept_once(models: str) -> None:
    loaded = import_target_metadata(
        [f"{models}:Base.metadata", f"{models}:audit", f"{models}:alias", f"{models}:audit"]
    )
    assert [set(metadata.tables) for metadata in loaded] == [{"account"}, {"audit.account"}]


def test_two_metadata_defining_one_table_are_rejected(models: str) -> None:
    with pytest.raises(DuplicateTableError) as raised:
        import_target_metadata([f"{models}:Base.metadata", f"{models}:legacy"], source="a.ini")
    error = raised.value
    assert (error.table, error.first, error.second) == (
        "account",
        f"{models}:Base.metadata",
        f"{models}:legacy",
    )
    assert str(error) == (
        f"lback.target_metadata in a.ini: table 'account' is defined by both "
        f"{models}:Base.metadata and {models}:legacy; "
        "keep it in one MetaData or remove one of them from the list"
    )


def test_no_paths_means_no_metadata() -> None:
    assert import_target_metadata([]) == []


def test_one_metadata_listed_twice_runs_through_alembic(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        sqlite_database,
        models=MODELS,
        options={"target_metadata": "app.models:Base.metadata, app.models:alias"},
    )
    revision = project.autogenerate("create account")
    assert revision is not None
    assert re.findall(r"op\.create_table\(\s*[\"']account[\"']", revision.read_text()) != []
    assert revision.read_text().count("op.create_table(") == 1
    project.alembic("upgrade", "head")
    assert sqlite_database.table_names() == {
        "account",
        "alembic_version",
        "alembic_version_checksums",
    }


def test_metadata_in_two_schemas_runs_through_alembic(
    tmp_path: Path, postgresql_database: Database
) -> None:
    with postgresql_database.connect() as connection:
        connection.execute(sa.text("CREATE SCHEMA audit"))
    project = AlembicProject.create(
        tmp_path / "project",
        postgresql_database,
        models=MODELS,
        options={
            "target_metadata": "app.models:Base.metadata, app.models:audit",
            "schemas": "audit",
        },
    )
    revision = project.autogenerate("create account twice")
    assert revision is not None
    project.alembic("upgrade", "head")
    assert postgresql_database.table_names() == {
        "account",
        "alembic_version",
        "alembic_version_checksums",
    }
    assert postgresql_database.table_names(schema="audit") == {"account"}
    assert "No new upgrade operations detected" in project.alembic("check").stdout
