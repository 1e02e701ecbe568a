"""Is the formatted revision the same program as the original?

The comparison is on :mod:`ast` trees, with three allowances for what the formatter may change:

* module-level imports may be merged, split, reordered and deduplicated between two other
  statements, and (when the rewrite is on) an import may disappear if the name it bound is
  used nowhere in the result;
* a string standing alone as a statement (a docstring) may differ in indentation and in
  leading and trailing whitespace, which black and ruff normalise;
* the targets of ``del`` may be parenthesised differently.
"""

from __future__ import annotations

import ast
from collections.abc import Hashable

from .imports import used_names


def difference(before: ast.Module, after: ast.Module, *, imports_removable: bool) -> str | None:
    """Return how ``after`` differs from ``before`` beyond the allowances, or ``None``.

    Both trees are normalised in place.

    :param imports_removable: whether unused imports may have been removed.
    """
    before_statements, before_imports = _split(before)
    after_statements, after_imports = _split(after)
    if len(before_statements) != len(after_statements):
        return "the number of statements changed"
    for old, new in zip(before_statements, after_statements, strict=True):
        if old != new:
            return f"a statement changed: {_first_line(old)}"
    used = used_names(after)
    for old_bindings, new_bindings in zip(before_imports, after_imports, strict=True):
        if new_bindings - old_bindings:
            return f"an import was added: {sorted(map(str, new_bindings - old_bindings))[0]}"
        removed = old_bindings - new_bindings
        if removed and not imports_removable:
            return f"an import was removed: {sorted(map(str, removed))[0]}"
        still_used = {binding for binding in removed if binding[-1] in used}
        if still_used:
            return f"a used import was removed: {sorted(map(str, still_used))[0]}"
    return None


def _first_line(dump: str) -> str:
    return dump if len(dump) <= 80 else dump[:77] + "..."


Binding = tuple[Hashable, ...]
"""An imported name: its form, module, level, name and the name it binds (last)."""


def _split(tree: ast.Module) -> tuple[list[str], list[set[Binding]]]:
    """The module's other statements (normalised dumps) and, around them, its import bindings."""
    statements: list[str] = []
    imports: list[set[Binding]] = [set()]
    normaliser = _Normaliser()
    for node in tree.body:
        if isinstance(node, ast.Import):
            imports[-1].update(
                ("import", alias.name, alias.asname, alias.asname or alias.name.partition(".")[0])
                for alias in node.names
            )
        elif isinstance(node, ast.ImportFrom):
            imports[-1].update(
                (
                    "from",
                    node.level,
                    node.module,
                    alias.name,
                    alias.asname,
                    alias.asname or alias.name,
                )
                for alias in node.names
            )
        else:
            statements.append(ast.dump(normaliser.visit(node)))
            imports.append(set())
    return statements, imports


class _Normaliser(ast.NodeTransformer):
    def visit_Expr(self, node: ast.Expr) -> ast.Expr:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            lines = (line.strip() for line in node.value.value.splitlines())
            node.value = ast.Constant("\n".join(lines).strip())
            return node
        self.generic_visit(node)
        return node

    def visit_Delete(self, node: ast.Delete) -> ast.Delete:
        self.generic_visit(node)
        node.targets = [element for target in node.targets for element in _unwrapped(target)]
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        node.kind = None
        return node


def _unwrapped(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.Tuple):
        return [element for item in node.elts for element in _unwrapped(item)]
    return [node]
