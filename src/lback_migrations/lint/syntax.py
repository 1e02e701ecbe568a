"""Reading values out of libcst expressions: string literals, booleans, dotted names.

Revision files are mostly literal calls (``op.add_column('t', sa.Column('c', nullable=False))``),
so a rule rarely needs more than "which literal is this argument".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst
else:
    from .deferred import libcst as cst


def dotted_name(node: cst.BaseExpression) -> str | None:
    """Return ``"sa.UniqueConstraint"`` for that attribute chain, ``None`` for anything else."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def string_value(node: cst.BaseExpression | None) -> str | None:
    """Return the value of a plain string literal (or of ``op.f('name')``), else ``None``."""
    if isinstance(node, cst.Call) and dotted_name(node.func) == "op.f" and node.args:
        node = node.args[0].value
    if isinstance(node, cst.SimpleString):
        raw = node.value
        # The common 'name' needs no evaluation (libcst would run ast.literal_eval).
        if raw[:1] in "'\"" and "\\" not in raw and raw[:3] not in ('"""', "'''"):
            return raw[1:-1]
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def is_name(node: cst.BaseExpression | None, name: str) -> bool:
    """Whether ``node`` is the bare name ``name`` (``True``, ``None``, ``False``)."""
    return isinstance(node, cst.Name) and node.value == name


def keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    """Return the value passed as ``name=...`` to ``call``, or ``None``."""
    for argument in call.args:
        if argument.keyword is not None and argument.keyword.value == name:
            return argument.value
    return None


def positional(call: cst.Call) -> list[cst.BaseExpression]:
    """Return the positional arguments of ``call`` (``*args`` excluded)."""
    return [
        argument.value for argument in call.args if argument.keyword is None and not argument.star
    ]


def is_call_to(node: cst.BaseExpression, *names: str) -> bool:
    """Whether ``node`` calls one of ``names``, written bare or through any module prefix.

    ``is_call_to(node, "UniqueConstraint")`` matches ``sa.UniqueConstraint(...)``,
    ``sqlalchemy.UniqueConstraint(...)`` and ``UniqueConstraint(...)``.
    """
    if not isinstance(node, cst.Call):
        return False
    name = dotted_name(node.func)
    return name is not None and name.rpartition(".")[2] in names
