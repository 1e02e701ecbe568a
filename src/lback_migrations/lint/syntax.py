"""Reading values out of :mod:`ast` expressions: string literals, constants, dotted names.

Revision files are mostly literal calls (``op.add_column('t', sa.Column('c', nullable=False))``),
so a rule rarely needs more than "which literal is this argument".
"""

from __future__ import annotations

import ast
import re


def dotted_name(node: ast.expr) -> str | None:
    """Return ``"sa.UniqueConstraint"`` for that attribute chain, ``None`` for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def string_value(node: ast.expr | None) -> str | None:
    """Return the value of a string literal (or of ``op.f('name')``), else ``None``.

    Adjacent literals (``"a" "b"``) are one constant to Python's parser; an f-string is not a
    literal.
    """
    if isinstance(node, ast.Call) and node.args and dotted_name(node.func) == "op.f":
        node = node.args[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def is_constant(node: ast.expr | None, value: bool | None) -> bool:
    """Whether ``node`` is the literal ``True``, ``False`` or ``None`` (as ``value`` says)."""
    return isinstance(node, ast.Constant) and node.value is value


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """Return the value passed as ``name=...`` to ``call``, or ``None``."""
    for argument in call.keywords:
        if argument.arg == name:
            return argument.value
    return None


def positional(call: ast.Call) -> list[ast.expr]:
    """Return the positional arguments of ``call`` (``*args`` excluded)."""
    return [argument for argument in call.args if not isinstance(argument, ast.Starred)]


def called_name(node: ast.expr | None) -> str | None:
    """The last part of the name ``node`` calls (``"Column"`` for ``sa.Column(...)``), or
    ``None`` when ``node`` is not a call of a (dotted) name."""
    if not isinstance(node, ast.Call):
        return None
    name = dotted_name(node.func)
    return name.rpartition(".")[2] if name is not None else None


def is_call_to(node: ast.expr | None, *names: str) -> bool:
    """Whether ``node`` calls one of ``names``, written bare or through any module prefix.

    ``is_call_to(node, "UniqueConstraint")`` matches ``sa.UniqueConstraint(...)``,
    ``sqlalchemy.UniqueConstraint(...)`` and ``UniqueConstraint(...)``.
    """
    return called_name(node) in names


_SCRATCH = re.compile(r"^(?:_alembic_tmp_|tmp_|temp_)|_(?:tmp|temp)$", re.IGNORECASE)


def is_scratch_name(name: str | None) -> bool:
    """Whether ``name`` is a scratch table's or column's (``tmp_user_id``, ``temp_ids``,
    ``_alembic_tmp_account``, which batch mode leaves behind): one a revision makes for its
    own work, holding no data of the application's."""
    return name is not None and _SCRATCH.search(name) is not None
