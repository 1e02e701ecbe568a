"""User-defined column types render into revisions together with the imports they need."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import render_op_text
from alembic.autogenerate.api import AutogenContext
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator, UserDefinedType

from lback_migrations.errors import ConfigurationError
from lback_migrations.render import TypeRenderRegistry, type_renderer
from tests.databases import Database
from tests.projects import AlembicProject


class GUID(TypeDecorator[uuid.UUID]):
    impl = sa.CHAR(36)
    cache_ok = True


class Point(UserDefinedType[Any]):
    cache_ok = True

    def __init__(self, srid: int = 0) -> None:
        self.srid = srid

    def get_col_spec(self, **kw: Any) -> str:
        return "TEXT"


class Shapes:
    class Polygon(UserDefinedType[Any]):
        cache_ok = True

        def get_col_spec(self, **kw: Any) -> str:
            return "TEXT"


class ShortGUID(GUID):
    cache_ok = True


def render_column(
    type_: sa.types.TypeEngine[Any],
    render_item: Any,
    *,
    dialect: str = "sqlite",
    user_module_prefix: str | None = None,
) -> tuple[str, set[str]]:
    """Render ``add_column`` of a column of ``type_`` with Alembic's own renderer."""
    context = AutogenContext(
        MigrationContext.configure(dialect_name=dialect),
        opts={
            "render_item": render_item,
            "sqlalchemy_module_prefix": "sa.",
            "alembic_module_prefix": "op.",
            "user_module_prefix": user_module_prefix,
        },
    )
    code = render_op_text(context, ops.AddColumnOp("t", sa.Column("c", type_)))
    return code, context.imports


def test_stock_alembic_leaves_a_user_type_module_unimported() -> None:
    code, imports = render_column(GUID(), render_item=None)
    assert "tests.test_render.GUID(length=36)" in code
    assert imports == set()


def test_a_user_type_renders_from_its_module_and_imports_it() -> None:
    code, imports = render_column(Point(srid=4326), TypeRenderRegistry().render_item)
    assert "tests.test_render.Point(srid=4326)" in code
    assert imports == {"import tests.test_render"}


def test_a_type_decorator_renders_with_its_import() -> None:
    code, imports = render_column(GUID(), TypeRenderRegistry().render_item)
    assert "tests.test_render.GUID(length=36)" in code
    assert imports == {"import tests.test_render"}


def test_sqlalchemy_types_are_left_to_alembic() -> None:
    code, imports = render_column(sa.String(20), TypeRenderRegistry().render_item)
    assert "sa.String(length=20)" in code
    code, imports = render_column(
        postgresql.JSONB(), TypeRenderRegistry().render_item, dialect="postgresql"
    )
    assert "postgresql.JSONB" in code
    assert imports == {"from sqlalchemy.dialects import postgresql"}


def test_a_nested_type_renders_with_its_qualified_name() -> None:
    code, imports = render_column(Shapes.Polygon(), TypeRenderRegistry().render_item)
    assert "tests.test_render.Shapes.Polygon()" in code
    assert imports == {"import tests.test_render"}


def test_a_registered_type_renders_from_the_registered_module() -> None:
    registry = TypeRenderRegistry().register(GUID, module="tests.test_render")
    code, imports = render_column(GUID(), registry.render_item)
    assert "tests.test_render.GUID(length=36)" in code
    assert imports == {"import tests.test_render"}


def test_a_type_registered_with_a_name_renders_as_a_from_import() -> None:
    registry = TypeRenderRegistry().register(Point, module="tests.test_render", name="Point")
    code, imports = render_column(Point(srid=3857), registry.render_item)
    assert "sa.Column('c', Point(srid=3857)" in code
    assert imports == {"from tests.test_render import Point"}


def test_a_type_can_be_registered_under_another_name() -> None:
    registry = TypeRenderRegistry().register(ShortGUID, "tests.test_render", name="GUID")
    code, imports = render_column(ShortGUID(), registry.render_item)
    assert "sa.Column('c', GUID(length=36)" in code
    assert imports == {"from tests.test_render import GUID"}


def test_registration_matches_the_class_exactly_not_subclasses() -> None:
    registry = TypeRenderRegistry().register(GUID, "tests.test_render", name="GUID")
    code, _ = render_column(ShortGUID(), registry.render_item)
    assert "tests.test_render.ShortGUID(length=36)" in code


def test_a_user_type_inside_an_array_renders_with_its_import() -> None:
    code, imports = render_column(
        postgresql.ARRAY(GUID()), TypeRenderRegistry().render_item, dialect="postgresql"
    )
    assert "postgresql.ARRAY(tests.test_render.GUID(length=36))" in code
    assert "import tests.test_render" in imports


def test_a_user_type_with_variants_keeps_alembic_rendering_and_gets_its_import() -> None:
    registry = TypeRenderRegistry().register(GUID, "tests.test_render", name="GUID")
    code, imports = render_column(
        GUID().with_variant(postgresql.UUID(), "postgresql"), registry.render_item
    )
    assert "tests.test_render.GUID(length=36).with_variant(sa.UUID(), 'postgresql')" in (code)
    assert "import tests.test_render" in imports


def test_user_module_prefix_leaves_unregistered_types_to_alembic() -> None:
    registry = TypeRenderRegistry().register(Point, "tests.test_render", name="Point")
    code, imports = render_column(GUID(), registry.render_item, user_module_prefix="types.")
    assert "types.GUID(length=36)" in code
    assert imports == set()
    code, imports = render_column(Point(), registry.render_item, user_module_prefix="types.")
    assert "Point()" in code
    assert imports == {"from tests.test_render import Point"}


def test_a_type_defined_in_a_function_is_left_to_alembic() -> None:
    class Local(UserDefinedType[Any]):
        cache_ok = True

        def get_col_spec(self, **kw: Any) -> str:
            return "TEXT"

    code, imports = render_column(Local(), TypeRenderRegistry().render_item)
    assert "tests.test_render.Local()" in code
    assert imports == set()


@pytest.mark.parametrize(
    ("type_class", "module", "name", "message"),
    [
        (GUID, "tests.no_such_module", None, "cannot import 'tests.no_such_module'"),
        (GUID, "tests.databases", None, "has no attribute 'GUID'"),
        (GUID, "tests.test_render", "sa", "would shadow 'sa'"),
        (GUID, "tests.test_render", "not a name", "is not a Python name"),
        (GUID, "tests/test_render", None, "is not a module path"),
        (int, "tests.test_render", None, "is not a SQLAlchemy type class"),
    ],
)
def test_register_rejects_what_a_revision_could_not_import(
    type_class: type[Any], module: str, name: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        TypeRenderRegistry().register(type_class, module, name=name)


def test_type_renderer_reads_configuration_entries() -> None:
    render_item = type_renderer(
        {
            "tests.test_render.GUID": "tests.test_render:GUID",
            "tests.test_render.Shapes.Polygon": "tests.test_render",
        }
    )
    code, imports = render_column(GUID(), render_item)
    assert "sa.Column('c', GUID(length=36)" in code
    assert imports == {"from tests.test_render import GUID"}
    code, imports = render_column(Shapes.Polygon(), render_item)
    assert "tests.test_render.Shapes.Polygon()" in code
    assert imports == {"import tests.test_render"}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"tests.test_render.Nothing": "tests.test_render"}, "cannot import the type"),
        ({"tests.test_render.uuid": "tests.test_render"}, "is a module, not a type class"),
        ({"tests.test_render.GUID": "tests.test_render:"}, "names no type after the colon"),
        ({"tests.test_render.GUID": "tests:GUID"}, "module 'tests' has no attribute 'GUID'"),
    ],
)
def test_type_renderer_names_the_key_of_a_bad_entry(entry: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as raised:
        type_renderer(entry, source="alembic.ini")
    assert str(raised.value).startswith("lback.type_modules in alembic.ini: ")


# -- end to end, through the stock alembic command ------------------------------------------


def imports_of(revision: Path) -> set[str]:
    """The import statements of a revision, one ``import x`` / ``from x import y`` each."""
    statements: set[str] = set()
    for node in ast.parse(revision.read_text()).body:
        if isinstance(node, ast.Import):
            statements.update(f"import {alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            statements.update(f"from {node.module} import {alias.name}" for alias in node.names)
    return statements


def test_stock_template_revision_fails_on_a_user_type(tmp_path: Path) -> None:
    """What the lback template fixes: stock Alembic writes app.types.GUID without importing it."""
    project = AlembicProject.create(
        tmp_path / "project",
        Database("sqlite", sa.make_url(f"sqlite:///{tmp_path / 'stock.db'}")),
        example="custom_types",
        template="generic",
    )
    env_py = project.root / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "target_metadata = None",
            "from app.models import Base\ntarget_metadata = Base.metadata",
        )
    )
    revision = project.autogenerate("create document")
    assert revision is not None
    text = revision.read_text()
    assert "app.types.GUID(length=36)" in text
    assert "import app.types" not in text
    result = project.alembic("upgrade", "head", check=False)
    assert result.returncode != 0
    assert "NameError: name 'app' is not defined" in result.stderr


HAND_WRITTEN_SETUP = """\
from app.models import Base
from app.types import GUID
from lback_migrations.render import TypeRenderRegistry

registry = TypeRenderRegistry().register(GUID, module="app.migration_types", name="GUID")
target_metadata = Base.metadata"""


def test_a_hand_written_env_py_renders_through_the_registry(tmp_path: Path) -> None:
    database = Database("sqlite", sa.make_url(f"sqlite:///{tmp_path / 'hand.db'}"))
    project = AlembicProject.create(
        tmp_path / "project", database, example="custom_types", template="generic"
    )
    env_py = project.root / "migrations" / "env.py"
    source = env_py.read_text().replace("target_metadata = None", HAND_WRITTEN_SETUP)
    source = source.replace(
        "target_metadata=target_metadata",
        "target_metadata=target_metadata, render_item=registry.render_item",
    )
    env_py.write_text(source)
    revision = project.autogenerate("create document")
    assert revision is not None
    assert {"from app.migration_types import GUID", "import app.types"} <= imports_of(revision)
    text = revision.read_text()
    assert "GUID(length=36)" in text
    assert "app.types.GUID" not in text
    assert "app.types.Slug(length=120)" in text
    project.alembic("upgrade", "head")
    assert "No new upgrade operations detected" in project.alembic("check").stdout


def test_user_types_render_with_their_module_imported(tmp_path: Path, database: Database) -> None:
    project = AlembicProject.create(tmp_path / "project", database, example="custom_types")
    revision = project.autogenerate("create document")
    assert revision is not None
    text = revision.read_text()
    assert "import app.types" in imports_of(revision)
    assert "app.types.GUID(length=36)" in text
    assert "app.types.Slug(length=120)" in text
    project.alembic("upgrade", "head")
    assert "document" in database.table_names()
    assert "No new upgrade operations detected" in project.alembic("check").stdout


def test_type_modules_render_types_from_the_stable_module(
    tmp_path: Path, database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        database,
        example="custom_types",
        options={
            "type_modules": "app.types.GUID=app.migration_types, "
            "app.types.Slug=app.migration_types:Slug"
        },
    )
    revision = project.autogenerate("create document")
    assert revision is not None
    text = revision.read_text()
    imports = imports_of(revision)
    assert {"import app.migration_types", "from app.migration_types import Slug"} <= imports
    assert "import app.types" not in imports
    assert "app.migration_types.GUID(length=36)" in text
    assert "Slug(length=120)" in text
    project.alembic("upgrade", "head")
    assert "No new upgrade operations detected" in project.alembic("check").stdout


def test_a_jsonb_variant_renders_its_text_type_qualified_outside_postgresql() -> None:
    jsonb_variant = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    stock, _ = render_column(jsonb_variant, None)
    assert "astext_type=Text()" in stock
    code, imports = render_column(jsonb_variant, TypeRenderRegistry().render_item)
    assert "postgresql.JSONB(astext_type=sa.Text())" in code
    assert "from sqlalchemy.dialects import postgresql" in imports


JSON_VARIANT_MODELS = """
    import sqlalchemy as sa
    from sqlalchemy.dialects.postgresql import JSONB
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Document(Base):
        __tablename__ = "document"
        id: Mapped[int] = mapped_column(primary_key=True)
        body = mapped_column(sa.JSON().with_variant(JSONB(), "postgresql"))
"""


def test_a_json_column_with_a_jsonb_variant_migrates_on_every_backend(
    tmp_path: Path, database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path / "project",
        database,
        models=JSON_VARIANT_MODELS,
        options={"target_metadata": "app.models:Base.metadata"},
    )
    assert project.autogenerate("create document") is not None
    project.alembic("upgrade", "head")
    assert "No new upgrade operations detected" in project.alembic("check").stdout
