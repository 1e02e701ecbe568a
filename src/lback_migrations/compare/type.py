"""Column type comparison: named rules for the false positives of stock Alembic, plus user
callables.

Every rule and every user callable has Alembic's ``compare_type`` signature
``(context, inspected_column, metadata_column, inspected_type, metadata_type)`` and answers
``False`` (the same type), ``True`` (changed) or ``None`` (no opinion). The comparator built by
:func:`type_comparator` asks the user callables first, then the rules, and returns ``None`` when
none of them has an opinion, which leaves the decision to Alembic's own comparison.

The built-in rules each remove one false positive measured on Alembic 1.20 with SQLAlchemy 2.1
(see ``docs/compare.rst``); each answers ``None`` outside the case it knows.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import exc, text
from sqlalchemy import schema as sa_schema
from sqlalchemy import types as sqltypes

from ..errors import ConfigurationError

if TYPE_CHECKING:
    from alembic.runtime.environment import CompareType
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import Column
    from sqlalchemy.engine import Dialect
    from sqlalchemy.types import TypeEngine

TYPE_RULES_KEY = "lback.type_rules"
DEFAULT_SET_NAME = "default"
"""The name that stands for :data:`DEFAULT_TYPE_RULES` inside ``lback.type_rules``."""

_rules: dict[str, CompareType] = {}


def register_type_rule(name: str) -> Callable[[CompareType], CompareType]:
    """Register a type rule under ``name``, so ``lback.type_rules`` can select it.

    The decorated function has Alembic's ``compare_type`` signature and returns ``False``
    when the two types are the same, ``True`` when they differ and ``None`` to leave the
    decision to the next rule (and, at the end, to Alembic)::

        @register_type_rule("citext_is_text")
        def citext_is_text(context, inspected_column, metadata_column, inspected, metadata):
            if isinstance(metadata, CIText) and isinstance(inspected, CITEXT):
                return False
            return None

    :param name: the name used in ``lback.type_rules``; registering a name again replaces
        the earlier rule.
    :returns: a decorator that registers the function and returns it unchanged.
    """

    def decorate(rule: CompareType) -> CompareType:
        _rules[name] = rule
        return rule

    return decorate


def type_rule_names() -> tuple[str, ...]:
    """Return the names of every registered type rule, sorted."""
    return tuple(sorted(_rules))


def _undecorated(type_: TypeEngine[Any], dialect: Dialect) -> TypeEngine[Any]:
    """The type ``dialect`` gets: its ``with_variant`` type, a TypeDecorator's implementation."""
    while True:
        # with_variant() keeps its choices in _variant_mapping, as Alembic's renderer reads them
        variant = getattr(type_, "_variant_mapping", {}).get(dialect.name)
        if variant is not None:
            type_ = variant
        elif isinstance(type_, sqltypes.TypeDecorator):
            type_ = type_.load_dialect_impl(dialect)
        else:
            return type_


def _dialect_type(type_: TypeEngine[Any], dialect: Dialect) -> TypeEngine[Any]:
    """The type ``dialect`` really creates: :func:`_undecorated`, and for a type whose DDL a
    ``@compiles`` hook rewrites, the type that DDL names."""
    type_ = _undecorated(type_, dialect)
    if _compiled_by_hook(type_, dialect):
        return _type_of_ddl(_compiled(type_, dialect), dialect) or type_
    return type_


def _compiled(type_: TypeEngine[Any], dialect: Dialect) -> str:
    return str(dialect.type_compiler_instance.process(type_))


def _compiled_by_hook(type_: TypeEngine[Any], dialect: Dialect) -> bool:
    """Whether a ``@compiles(Type, dialect)`` hook (or one for every dialect) writes the DDL."""
    for cls in type(type_).__mro__:
        dispatcher = vars(cls).get("_compiler_dispatcher")
        if dispatcher is None:
            continue
        default = dispatcher.specs.get("default")
        # compiles() keeps the class's own compilation as "default" under this name
        return dialect.name in dispatcher.specs or (
            default is not None and default.__name__ != "_wrap_existing_dispatch"
        )
    return False


_TYPE_DDL = re.compile(r"\s*([A-Za-z][\w ]*?)\s*(?:\(\s*([\d\s,]*)\))?\s*(\w[\w ]*)?\s*")


def _type_of_ddl(ddl: str, dialect: Dialect) -> TypeEngine[Any] | None:
    """The dialect's type for a DDL type name such as ``FLOAT(32)`` (``None`` if unknown)."""
    match = _TYPE_DDL.fullmatch(ddl)
    if match is None:
        return None
    names: dict[str, Any] = dialect.ischema_names  # type: ignore[attr-defined]
    name = match.group(1).strip()
    type_class = names.get(name.lower()) or names.get(name.upper())
    if type_class is None:
        return None
    written = (match.group(2) or "").split(",")
    arguments = [int(argument) for argument in written if argument.strip()]
    try:
        return type_class(*arguments)  # type: ignore[no-any-return]
    except TypeError:
        return None


def _float_width(type_: TypeEngine[Any], dialect_name: str) -> str | None:
    """``single`` or ``double``: how ``dialect_name`` stores a floating point type."""
    if isinstance(type_, sqltypes.Double):
        return "double"
    if isinstance(type_, sqltypes.REAL):
        # MariaDB and MySQL take REAL for DOUBLE unless sql_mode has REAL_AS_FLOAT
        return "double" if dialect_name == "mysql" else "single"
    if isinstance(type_, sqltypes.Float):
        if type_.precision is None:
            # PostgreSQL's FLOAT without precision is DOUBLE PRECISION; MySQL's is single
            return "double" if dialect_name == "postgresql" else "single"
        return "single" if type_.precision <= 24 else "double"
    return None


@register_type_rule("float_precision")
def float_precision(
    context: MigrationContext,
    inspected_column: Column[Any],
    metadata_column: Column[Any],
    inspected_type: TypeEngine[Any],
    metadata_type: TypeEngine[Any],
) -> bool | None:
    """``Float(precision=p)`` and ``REAL`` as PostgreSQL and MariaDB store them.

    Both backends keep two floating point types: ``FLOAT(p)`` with ``p <= 24`` is single
    precision (PostgreSQL reflects ``REAL``), above 24 it is double (MariaDB reflects
    ``DOUBLE``), and MariaDB's ``REAL`` is ``DOUBLE``. Same storage width means same type;
    anything else is left to Alembic.
    """
    dialect_name = context.dialect.name
    if dialect_name not in ("postgresql", "mysql"):
        return None
    model_width = _float_width(_dialect_type(metadata_type, context.dialect), dialect_name)
    database_width = _float_width(inspected_type, dialect_name)
    if model_width is not None and model_width == database_width:
        return False
    return None


_NATIONAL_CHARSETS = frozenset({"utf8mb3", "utf8"})


@register_type_rule("mysql_national_charset")
def mysql_national_charset(
    context: MigrationContext,
    inspected_column: Column[Any],
    metadata_column: Column[Any],
    inspected_type: TypeEngine[Any],
    metadata_type: TypeEngine[Any],
) -> bool | None:
    """``NVARCHAR(n)`` / ``NCHAR(n)`` as MariaDB stores them.

    MariaDB has no national types: it creates ``VARCHAR(n)`` / ``CHAR(n)`` in the national
    character set (``utf8mb3``), and that is what reflection returns. The same length and the
    national character set mean the same type.
    """
    if context.dialect.name != "mysql":
        return None
    model = _dialect_type(metadata_type, context.dialect)
    pairs = ((sqltypes.NVARCHAR, sqltypes.VARCHAR), (sqltypes.NCHAR, sqltypes.CHAR))
    for national, plain in pairs:
        if (
            isinstance(model, national)
            and isinstance(inspected_type, plain)
            and not isinstance(inspected_type, national)
        ):
            charset = getattr(inspected_type, "charset", None)
            if charset in _NATIONAL_CHARSETS and inspected_type.length == model.length:
                return False
    return None


def _declared_sqlite_type(context: MigrationContext, column: Column[Any]) -> str | None:
    connection = context.connection
    table = column.table
    if connection is None or table is None:
        return None
    quote = context.dialect.identifier_preparer.quote
    schema = f"{quote(table.schema)}." if table.schema else ""
    rows = connection.execute(text(f"PRAGMA {schema}table_info({quote(table.name)})"))
    for row in rows:
        if row.name == column.name:
            return str(row.type)
    return None


def _canonical_type_text(type_text: str) -> str:
    return " ".join(type_text.upper().replace("(", " (").replace(",", ", ").split()).replace(
        "( ", "("
    )


@register_type_rule("sqlite_declared_type")
def sqlite_declared_type(
    context: MigrationContext,
    inspected_column: Column[Any],
    metadata_column: Column[Any],
    inspected_type: TypeEngine[Any],
    metadata_type: TypeEngine[Any],
) -> bool | None:
    """Types SQLAlchemy's SQLite dialect does not know by name (``BINARY``, ``VARBINARY``, ...).

    SQLite keeps the declared type as written, but reflection maps a name the dialect does
    not know to its storage affinity (``BINARY(16)`` comes back as ``NUMERIC(16)``). For those
    types the rule compares the declared type text (``PRAGMA table_info``) with the model's
    type compiled for SQLite.
    """
    if context.dialect.name != "sqlite":
        return None
    compiled = context.dialect.type_compiler_instance.process(
        _dialect_type(metadata_type, context.dialect)
    )
    base_name = compiled.split("(")[0].strip().upper()
    if base_name in context.dialect.ischema_names:  # type: ignore[attr-defined]
        return None
    declared = _declared_sqlite_type(context, inspected_column)
    if declared is None:
        return None
    return _canonical_type_text(declared) != _canonical_type_text(compiled)


@register_type_rule("sqlite_real_affinity")
def sqlite_real_affinity(
    context: MigrationContext,
    inspected_column: Column[Any],
    metadata_column: Column[Any],
    inspected_type: TypeEngine[Any],
    metadata_type: TypeEngine[Any],
) -> bool | None:
    """``FLOAT``, ``REAL``, ``DOUBLE`` and ``DOUBLE PRECISION`` as SQLite stores them.

    SQLite has one floating point storage class, an 8-byte IEEE double: every one of these
    declarations has REAL affinity and stores the same. A history that wrote ``sa.Float()``
    and a model that now says ``sa.Double()`` describe the same column.
    """
    if context.dialect.name != "sqlite":
        return None
    model = _dialect_type(metadata_type, context.dialect)
    if isinstance(model, sqltypes.Float) and isinstance(inspected_type, sqltypes.Float):
        return False
    return None


_MYSQL_SIZE_FAMILIES: dict[str, tuple[tuple[int, str], ...]] = {
    "blob": ((255, "TINYBLOB"), (65535, "BLOB"), (16777215, "MEDIUMBLOB"), (2**32 - 1, "LONGBLOB")),
    "text": ((255, "TINYTEXT"), (65535, "TEXT"), (16777215, "MEDIUMTEXT"), (2**32 - 1, "LONGTEXT")),
}
_MAX_BYTES_PER_CHARACTER = 4


def _smallest_holding(family: str, size: int) -> str:
    return next(name for limit, name in _MYSQL_SIZE_FAMILIES[family] if size <= limit)


@register_type_rule("mysql_size_family")
def mysql_size_family(
    context: MigrationContext,
    inspected_column: Column[Any],
    metadata_column: Column[Any],
    inspected_type: TypeEngine[Any],
    metadata_type: TypeEngine[Any],
) -> bool | None:
    """``LargeBinary(n)`` and ``Text(n)`` as MariaDB stores them.

    MariaDB turns ``BLOB(n)`` into the smallest of ``TINYBLOB``, ``BLOB``, ``MEDIUMBLOB`` and
    ``LONGBLOB`` that holds ``n`` bytes, and ``TEXT(n)`` into the smallest ``...TEXT`` that
    holds ``n`` characters of the column's character set (1 to 4 bytes each), and reflects that
    type: ``LargeBinary(65536)`` comes back as ``MEDIUMBLOB``. The member of the family the
    length leads to is the same type; another member is a change (Alembic misses it, taking
    ``BLOB`` and ``MEDIUMBLOB`` for the same); a type outside the family is left to Alembic.
    """
    if context.dialect.name != "mysql":
        return None
    model = _dialect_type(metadata_type, context.dialect)
    length = getattr(model, "length", None)
    if not length:
        return None
    widths: tuple[int, ...]
    if isinstance(model, sqltypes._Binary):
        family, widths = "blob", (1,)
    elif isinstance(model, sqltypes.Text):
        family, widths = "text", tuple(range(1, _MAX_BYTES_PER_CHARACTER + 1))
    else:
        return None
    stored = type(inspected_type).__visit_name__.upper()
    if stored in {_smallest_holding(family, length * width) for width in widths}:
        return False
    return True if stored in {name for _, name in _MYSQL_SIZE_FAMILIES[family]} else None


def _enum_values_fit(model: sqltypes.Enum, inspected_type: TypeEngine[Any]) -> bool:
    inspected_length = getattr(inspected_type, "length", None)
    longest = max((len(value) for value in model.enums), default=0)
    return inspected_length is None or inspected_length >= longest


@register_type_rule("enum_varchar")
def enum_varchar(
    context: MigrationContext,
    inspected_column: Column[Any],
    metadata_column: Column[Any],
    inspected_type: TypeEngine[Any],
    metadata_type: TypeEngine[Any],
) -> bool | None:
    """A non-native ``Enum`` in a ``VARCHAR`` wider than its longest value.

    A non-native ``Enum`` (``native_enum=False``, and every ``Enum`` on SQLite) is a
    ``VARCHAR`` whose length SQLAlchemy takes from the longest value unless ``length=`` is
    given; its values are kept by the optional ``CHECK`` constraint, not by the length.
    Histories commonly create the column as ``sa.String(255)`` or with the length of an
    earlier, longer value set, and Alembic then proposes to narrow the column on every run.
    When the model gives no ``length`` and the column holds every value, the rule answers
    "same"; an explicit ``length`` that differs, or a column too short for a value, is left
    to Alembic.
    """
    model = _dialect_type(metadata_type, context.dialect)
    if not isinstance(model, sqltypes.Enum):
        return None
    native = model.native_enum and context.dialect.supports_native_enum
    if native or getattr(model, "_default_length", None) != model.length:
        return None
    if not isinstance(inspected_type, sqltypes.String) or isinstance(inspected_type, sqltypes.Enum):
        return None
    return False if _enum_values_fit(model, inspected_type) else None


@register_type_rule("compiled_ddl")
def compiled_ddl(
    context: MigrationContext,
    inspected_column: Column[Any],
    metadata_column: Column[Any],
    inspected_type: TypeEngine[Any],
    metadata_type: TypeEngine[Any],
) -> bool | None:
    """Judge the model's type by the DDL the dialect really compiles.

    Two cases stock Alembic gets wrong: a generic type that compiles to what the database
    reflects under another name (``Uuid`` is ``CHAR(32)`` on MariaDB), and a type whose DDL a
    project rewrites with ``@compiles`` (Alembic compares the Python type, not the hook's
    output). When the model's compiled type and the reflected type compile to the same DDL,
    they are the same; when a ``@compiles`` hook writes the model's DDL, Alembic compares the
    reflected type with the type that DDL names. Anything else is left to Alembic.
    """
    dialect = context.dialect
    model = _dialect_type(metadata_type, dialect)
    if isinstance(model, sqltypes.Enum):
        # a native ENUM compiles to its name: equal DDL says nothing about its values
        return None
    try:
        same_ddl = _canonical_type_text(_compiled(model, dialect)) == _canonical_type_text(
            _compiled(inspected_type, dialect)
        )
    except exc.CompileError:
        return None
    if same_ddl:
        return False
    hooked = _compiled_by_hook(_undecorated(metadata_type, dialect), dialect)
    if hooked and model is not metadata_type:
        named = sa_schema.Column(metadata_column.name, model)
        return bool(context.impl.compare_type(inspected_column, named))
    return None


DEFAULT_TYPE_RULES: tuple[str, ...] = (
    "float_precision",
    "mysql_national_charset",
    "sqlite_declared_type",
    "sqlite_real_affinity",
    "mysql_size_family",
    "enum_varchar",
    "compiled_ddl",
)
"""The rules applied when ``lback.type_rules`` is not set."""


def _import_callable(entry: str, source: str | None) -> CompareType:
    module_name, _, attribute_path = entry.partition(":")
    try:
        target: Any = importlib.import_module(module_name.strip())
        for attribute in attribute_path.strip().split("."):
            target = getattr(target, attribute)
    except (ImportError, AttributeError) as error:
        raise ConfigurationError(
            TYPE_RULES_KEY,
            f"cannot import {entry!r}: {error}",
            "write an importable module:callable",
            source,
        ) from error
    if not callable(target):
        raise ConfigurationError(
            TYPE_RULES_KEY,
            f"{entry!r} is not callable",
            "point at a function with Alembic's compare_type signature",
            source,
        )
    return target  # type: ignore[no-any-return]


def _resolve(
    rules: Sequence[str | CompareType], source: str | None
) -> tuple[list[CompareType], list[CompareType]]:
    """Split ``rules`` into (user callables, named rules), in the order written."""
    user: list[CompareType] = []
    named: list[CompareType] = []
    for entry in rules:
        if callable(entry):
            user.append(entry)
        elif ":" in entry:
            user.append(_import_callable(entry, source))
        elif entry == DEFAULT_SET_NAME:
            named.extend(_rules[name] for name in DEFAULT_TYPE_RULES)
        elif entry in _rules:
            named.append(_rules[entry])
        else:
            known = ", ".join((DEFAULT_SET_NAME, *type_rule_names()))
            raise ConfigurationError(
                TYPE_RULES_KEY,
                f"unknown type rule {entry!r}",
                f"use one of: {known}, or a module:callable",
                source,
            )
    return user, named


def type_comparator(
    rules: Sequence[str | CompareType] | None = None, *, source: str | None = None
) -> CompareType:
    """Build a ``compare_type`` callable from rule names and user callables.

    :param rules: rule names (see :func:`type_rule_names`; ``default`` stands for
        :data:`DEFAULT_TYPE_RULES`), ``module:callable`` import paths and callables, in any
        order. ``None`` means :data:`DEFAULT_TYPE_RULES`; an empty sequence means no rule.
    :param source: the file the rules were read from, named in errors.
    :returns: a callable with Alembic's ``compare_type`` signature that asks the user
        callables first, then the rules, and returns ``None`` (Alembic decides) when none of
        them answers.
    :raises ConfigurationError: naming ``lback.type_rules`` when a rule name is unknown or a
        ``module:callable`` cannot be imported.
    """
    user, named = _resolve(DEFAULT_TYPE_RULES if rules is None else rules, source)
    chain = (*user, *named)

    def compare_type(
        context: MigrationContext,
        inspected_column: Column[Any],
        metadata_column: Column[Any],
        inspected_type: TypeEngine[Any],
        metadata_type: TypeEngine[Any],
    ) -> bool | None:
        for rule in chain:
            answer = rule(context, inspected_column, metadata_column, inspected_type, metadata_type)
            if answer is not None:
                return answer
        return None

    return compare_type
