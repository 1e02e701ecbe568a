"""Column types as a revision writes them, reduced to what makes two of them the same type.

Autogenerate writes a column's type twice, differently: ``upgrade()`` renders the MODEL's type
(``sa.String(length=50)``, ``sa.Integer()``, ``sa.Boolean()``), while ``downgrade()``, putting
back a dropped column, renders the type the DATABASE reported (``sa.VARCHAR(length=50)``,
``sa.INTEGER()``, ``mysql.TINYINT(display_width=1)``, ``postgresql.TIMESTAMP()``).
:func:`type_key` maps both spellings to one key: a family (``string``, ``integer``...) and the
parameters that distinguish types within it (a string's length, a numeric's precision and
scale, an enum's values). Parameters a database adds or loses on the way back (MySQL's display
width, a time zone SQLite does not keep) are left out. A type of no known family is compared
by its name and arguments, with the same reduction applied to the types among them.
"""

from __future__ import annotations

import ast
from collections.abc import Hashable

from .syntax import dotted_name, keyword

TypeKey = tuple[Hashable, ...]
"""What :func:`type_key` returns: equal keys, same type."""

_FAMILIES: dict[str, str] = {
    **dict.fromkeys(
        ("String", "Unicode", "VARCHAR", "NVARCHAR", "VARCHAR2", "NVARCHAR2"), "string"
    ),
    **dict.fromkeys(("CHAR", "NCHAR"), "char"),
    **dict.fromkeys(("Text", "UnicodeText", "TEXT", "CLOB", "NCLOB"), "text"),
    **dict.fromkeys(("Integer", "INTEGER", "INT"), "integer"),
    **dict.fromkeys(("BigInteger", "BIGINT"), "big_integer"),
    **dict.fromkeys(("SmallInteger", "SMALLINT"), "small_integer"),
    **dict.fromkeys(("Boolean", "BOOLEAN", "BOOL"), "boolean"),
    **dict.fromkeys(("DateTime", "DATETIME", "DATETIME2", "TIMESTAMP"), "datetime"),
    **dict.fromkeys(("Date", "DATE"), "date"),
    **dict.fromkeys(("Time", "TIME"), "time"),
    **dict.fromkeys(("Interval", "INTERVAL"), "interval"),
    **dict.fromkeys(("Numeric", "NUMERIC", "DECIMAL"), "numeric"),
    **dict.fromkeys(("Float", "Double", "FLOAT", "REAL", "DOUBLE", "DOUBLE_PRECISION"), "float"),
    **dict.fromkeys(("LargeBinary", "BLOB", "BYTEA"), "binary"),
    **dict.fromkeys(("JSON",), "json"),
    **dict.fromkeys(("Uuid", "UUID"), "uuid"),
    **dict.fromkeys(("Enum", "ENUM"), "enum"),
}
_PARAMETERS: dict[str, tuple[str, ...]] = {
    "string": ("length",),
    "char": ("length",),
    "numeric": ("precision", "scale"),
}
"""The parameters that tell types of a family apart, in their positional order."""
_UUID_AS_CHAR = ("char", 32)
"""Where a database has no UUID type (SQLite, MySQL), ``sa.Uuid()`` is stored as ``CHAR(32)``."""


def type_key(node: ast.expr | None) -> TypeKey | None:
    """Return the key of the type written as ``node`` (``sa.String(length=50)``, ``sa.TEXT``),
    or ``None`` when ``node`` is not a type written as a (dotted) name or a call of one."""
    call = node if isinstance(node, ast.Call) else None
    name = dotted_name(call.func if call is not None else node) if node is not None else None
    if name is None:
        return None
    name = name.rpartition(".")[2]
    family = _FAMILIES.get(name)
    if family == "enum":
        values = [] if call is None else call.args
        return (family, *(_value(value) for value in values))
    if family is not None:
        names = _PARAMETERS.get(family, ())
        key = (family, *(_parameter(call, item, index) for index, item in enumerate(names)))
        return ("uuid",) if key == _UUID_AS_CHAR else key
    if name == "TINYINT" and call is not None and _tiny_boolean(call):
        return ("boolean",)
    if call is None:
        return (name,)
    arguments = tuple(_value(value) for value in call.args)
    keywords = tuple(sorted((item.arg or "**", _value(item.value)) for item in call.keywords))
    return (name, arguments, keywords)


def _parameter(call: ast.Call | None, name: str, position: int) -> Hashable:
    if call is None:
        return None
    value = keyword(call, name)
    if value is None and position < len(call.args):
        value = call.args[position]
    return _value(value) if value is not None else None


def _tiny_boolean(call: ast.Call) -> bool:
    """``TINYINT(1)``: how MySQL and MariaDB store a boolean."""
    width = keyword(call, "display_width") or (call.args[0] if call.args else None)
    return isinstance(width, ast.Constant) and width.value == 1


def _value(node: ast.expr) -> Hashable:
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, Hashable) else repr(node.value)
    key = type_key(node)
    return key if key is not None else ast.dump(node)
