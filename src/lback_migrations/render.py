"""``render_item``: how user-defined types are written into revisions, with their imports.

Stock Alembic renders a type defined outside SQLAlchemy as ``<defining module>.<repr>``, for
example ``myapp.types.GUID()``, and adds no import for it: the revision only runs if the user
edits ``script.py.mako`` to import every such module. :class:`TypeRenderRegistry` renders those
types itself and adds the import to ``autogen_context.imports``, which the template writes at
the top of the revision:

* by default, from the module defining the type (``import myapp.types`` and
  ``myapp.types.GUID()``);
* for a registered type, from the module it is registered with: ``import myapp.migration_types``
  and ``myapp.migration_types.GUID()``, or ``from myapp.migration_types import GUID`` and
  ``GUID()`` when a name is given. A stable module keeps old revisions importable when the type
  moves or is renamed in the application.
"""

from __future__ import annotations

import importlib
import keyword
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.types import TypeEngine

from .errors import ConfigurationError

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from alembic.runtime.environment import RenderItemFn

TYPE_MODULES_KEY = "lback.type_modules"
RESERVED_NAMES = frozenset(
    {"sa", "op", "revision", "down_revision", "branch_labels", "depends_on", "upgrade", "downgrade"}
)
"""Names a revision file already binds: a type imported under one of them would shadow it."""


@dataclass(frozen=True)
class TypeImport:
    """Where a revision imports a type from.

    :param module: the module the revision imports.
    :param name: with a name, the revision uses ``from module import name`` and calls
        ``name(...)``; without, it uses ``import module`` and calls ``module.<qualname>(...)``.
    """

    module: str
    name: str | None = None

    @property
    def statement(self) -> str:
        """The import statement the revision needs."""
        if self.name is None:
            return f"import {self.module}"
        return f"from {self.module} import {self.name}"

    def callee(self, type_class: type[Any]) -> str:
        """The expression a revision calls to build an instance of ``type_class``."""
        if self.name is None:
            return f"{self.module}.{type_class.__qualname__}"
        return self.name


def _is_dotted_name(text: str) -> bool:
    parts = text.split(".")
    return all(part.isidentifier() and not keyword.iskeyword(part) for part in parts)


def _is_importable_class(type_class: type[Any]) -> bool:
    return type_class.__module__ != "__main__" and "<locals>" not in type_class.__qualname__


def _resolve_attribute(module: str, qualname: str) -> object:
    """Import ``module`` and follow ``qualname``; raise ValueError saying what is missing."""
    try:
        target: object = importlib.import_module(module)
    except ImportError as error:
        raise ValueError(f"cannot import {module!r} ({' '.join(str(error).split())})") from error
    for attribute in qualname.split("."):
        if not hasattr(target, attribute):
            raise ValueError(f"module {module!r} has no attribute {qualname!r}")
        target = getattr(target, attribute)
    return target


class TypeRenderRegistry:
    """Renders user-defined column types into revisions, adding the imports they need.

    Types defined by SQLAlchemy are left to Alembic. Every other type renders from the module
    that defines it, with that module imported, unless it is registered with another module
    (:meth:`register`) or Alembic's ``user_module_prefix`` is configured (then unregistered
    types keep Alembic's rendering and their imports are the template's business).

    :param import_defining_modules: render unregistered user types with an import of their
        defining module (the default); false leaves them to Alembic.

    Example, in a hand-written ``env.py``::

        from lback_migrations.render import TypeRenderRegistry
        from myapp.types import GUID

        registry = TypeRenderRegistry().register(GUID, module="myapp.migration_types")
        context.configure(..., render_item=registry.render_item)
    """

    def __init__(self, *, import_defining_modules: bool = True) -> None:
        self._imports: dict[type[Any], TypeImport] = {}
        self._import_defining_modules = import_defining_modules

    def register(
        self, type_class: type[Any], module: str, *, name: str | None = None
    ) -> TypeRenderRegistry:
        """Render ``type_class`` (exactly that class, not its subclasses) from ``module``.

        The module must provide the type: ``module.<qualname of type_class>`` without ``name``,
        ``module.<name>`` with it. It is imported now, so a wrong module fails at autogenerate
        time rather than when the revision is applied.

        :param type_class: a :class:`~sqlalchemy.types.TypeEngine` subclass (a
            ``TypeDecorator``, a ``UserDefinedType``, ...).
        :param module: the dotted module path the revision imports.
        :param name: import the type by this name (``from module import name``) instead of
            importing the module.
        :returns: the registry itself, so calls chain.
        :raises ValueError: when ``type_class`` is not a type, ``module`` or ``name`` is not a
            valid Python name, ``name`` would shadow a name every revision uses, or the module
            does not provide the type.
        """
        if not (isinstance(type_class, type) and issubclass(type_class, TypeEngine)):
            raise ValueError(f"{type_class!r} is not a SQLAlchemy type class")
        if not _is_dotted_name(module):
            raise ValueError(f"{module!r} is not a module path")
        if name is not None and (not _is_dotted_name(name) or "." in name):
            raise ValueError(f"{name!r} is not a Python name")
        if name in RESERVED_NAMES:
            raise ValueError(f"importing a type as {name!r} would shadow {name!r} in revisions")
        location = TypeImport(module, name)
        _resolve_attribute(module, name or type_class.__qualname__)
        self._imports[type_class] = location
        return self

    def location(self, type_class: type[Any]) -> TypeImport | None:
        """Where revisions import ``type_class`` from, or None when Alembic renders it.

        :param type_class: a type class.
        :returns: the registered location, else the defining module for a user type.
        """
        registered = self._imports.get(type_class)
        if registered is not None:
            return registered
        module = type_class.__module__
        if module == "sqlalchemy" or module.startswith("sqlalchemy."):
            return None
        if not self._import_defining_modules or not _is_importable_class(type_class):
            return None
        return TypeImport(module)

    def render_type(
        self, type_: TypeEngine[Any], imports: set[str], *, user_module_prefix: str | None = None
    ) -> str | None:
        """Render one type instance, adding the import it needs to ``imports``.

        :param type_: the column type to render.
        :param imports: the revision's import lines; the needed one is added.
        :param user_module_prefix: Alembic's ``user_module_prefix``; when set, unregistered
            types are left to Alembic.
        :returns: the Python expression, or None to let Alembic render the type.
        """
        type_class = type(type_)
        if user_module_prefix is not None and type_class not in self._imports:
            return None
        location = self.location(type_class)
        if location is None:
            return None
        text = repr(type_)
        if getattr(type_, "_variant_mapping", None) or not text.startswith(type_class.__name__):
            # Alembic renders variants (and custom reprs) itself, as
            # "<defining module>.<repr>": make that module importable.
            if _is_importable_class(type_class):
                imports.add(f"import {type_class.__module__}")
            return None
        imports.add(location.statement)
        return location.callee(type_class) + text[len(type_class.__name__) :]

    def render_item(
        self, type_: str, obj: Any, autogen_context: AutogenContext
    ) -> str | Literal[False]:
        """Alembic's ``render_item`` hook: ``context.configure(render_item=registry.render_item)``.

        :param type_: what Alembic renders (``"type"``, ``"column"``, ...); only types are
            handled.
        :param obj: the object to render.
        :param autogen_context: Alembic's context, whose ``imports`` receive the import.
        :returns: the rendered expression, or False for Alembic's default rendering.
        """
        if type_ != "type" or not isinstance(obj, TypeEngine):
            return False
        json_type = render_dialect_json_type(obj, autogen_context)
        if json_type is not None:
            return json_type
        rendered = self.render_type(
            obj,
            autogen_context.imports,
            user_module_prefix=autogen_context.opts.get("user_module_prefix"),
        )
        return False if rendered is None else rendered


def render_dialect_json_type(type_: TypeEngine[Any], autogen_context: AutogenContext) -> str | None:
    """Render a dialect's JSON type whose ``astext_type`` Alembic leaves unqualified.

    Outside PostgreSQL (a ``JSON().with_variant(JSONB(), "postgresql")`` column autogenerated on
    SQLite or MariaDB, say) stock Alembic writes ``postgresql.JSONB(astext_type=Text())``, and
    the revision fails with ``NameError: Text``. Here the inner type gets the SQLAlchemy prefix.

    :returns: the expression, or None when ``type_`` is not such a type.
    """
    module = type(type_).__module__
    astext_type = getattr(type_, "astext_type", None)
    if astext_type is None or not module.startswith("sqlalchemy.dialects."):
        return None
    dialect = module.split(".")[2]
    prefix = autogen_context.opts.get("sqlalchemy_module_prefix") or "sa."
    autogen_context.imports.add(f"from sqlalchemy.dialects import {dialect}")
    inner = repr(astext_type)
    return f"{dialect}.{type_!r}".replace(f"astext_type={inner}", f"astext_type={prefix}{inner}")


def parse_type_module(type_path: str, target: str) -> tuple[type[Any], str, str | None]:
    """Resolve one ``lback.type_modules`` entry.

    :param type_path: the type's import path, ``myapp.types.GUID``.
    :param target: ``myapp.migration_types`` (import the module) or
        ``myapp.migration_types:GUID`` (import the name from it).
    :returns: ``(type class, module, name or None)``.
    :raises ValueError: when the type cannot be imported or the target is malformed.
    """
    module_path, dot, qualname = type_path.rpartition(".")
    type_class: object = None
    while dot:
        try:
            type_class = _resolve_attribute(module_path, qualname)
            break
        except ValueError:
            module_path, dot, head = module_path.rpartition(".")
            qualname = f"{head}.{qualname}"
    if type_class is None:
        raise ValueError(f"cannot import the type {type_path!r}")
    if not isinstance(type_class, type):
        raise ValueError(f"{type_path!r} is a {type(type_class).__name__}, not a type class")
    module, colon, name = target.partition(":")
    if colon and not name:
        raise ValueError(f"{target!r} names no type after the colon")
    return type_class, module, name if colon else None


def type_renderer(
    type_modules: Mapping[str, str] | None = None,
    *,
    key: str = TYPE_MODULES_KEY,
    source: str | None = None,
) -> RenderItemFn:
    """Build a ``render_item`` hook from ``lback.type_modules`` entries.

    :param type_modules: type import path to target, e.g.
        ``{"myapp.types.GUID": "myapp.migration_types"}`` (``import myapp.migration_types``,
        ``myapp.migration_types.GUID()``) or ``{"myapp.types.GUID": "myapp.compat:UUID"}``
        (``from myapp.compat import UUID``, ``UUID()``). Unlisted user types render from their
        defining module, imported.
    :param key: the configuration key named in errors.
    :param source: the file ``key`` came from, named in errors.
    :returns: a callable for ``context.configure(render_item=...)``.
    :raises ConfigurationError: when an entry cannot be resolved.
    """
    registry = TypeRenderRegistry()
    for type_path, target in (type_modules or {}).items():
        try:
            type_class, module, name = parse_type_module(type_path, target)
            registry.register(type_class, module, name=name)
        except ValueError as error:
            raise ConfigurationError(
                key,
                f"{type_path}={target}: {error}",
                "write module.Type=import.path or module.Type=import.path:Name, "
                "where import.path provides the type",
                source,
            ) from error
    return registry.render_item
