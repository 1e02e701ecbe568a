"""Sphinx extension: the ``lback-lint-rules`` directive writes the rule reference.

Every rule of :mod:`lback_migrations.lint.rules` becomes a section built from the rule class
itself (code, name, severity, dialects, message, docstring, VALID and INVALID examples), so the
reference cannot drift from the code.
"""

from __future__ import annotations

import textwrap
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

from lback_migrations.lint.rule import EXAMPLE_FILE_NAME, Example, Rule
from lback_migrations.lint.rules import all_rules

_DIALECT_NAMES = {
    "postgresql": "PostgreSQL",
    "sqlite": "SQLite",
    "mysql": "MySQL",
    "mariadb": "MariaDB",
}


def rule_lines(rule: type[Rule]) -> list[str]:
    """The reStructuredText of one rule's section."""
    title = f"{rule.code} {rule.name}"
    dialects = ", ".join(_DIALECT_NAMES.get(name, name) for name in sorted(rule.dialects))
    lines = [
        f".. _lint-rule-{rule.code}:",
        "",
        title,
        "~" * len(title),
        "",
        f":Severity: {rule.severity.value}",
        f":Applies to: {dialects + ' only' if dialects else 'every dialect'}",
        f":Runs: {'unless ignored' if rule.default else 'only when selected by its code'}",
        "",
        *rule.documentation().splitlines(),
        "",
        "The finding reads:",
        "",
        ".. code-block:: text",
        "",
        f"   {rule.code} {rule.message}",
        "",
    ]
    for label, examples in (("Reported", rule.INVALID), ("Accepted", rule.VALID)):
        for example in examples:
            lines += [f"{label}{_conditions(example)}:", "", ".. code-block:: python", ""]
            lines += textwrap.indent(example.source.rstrip(), "   ").splitlines()
            lines.append("")
    return lines


def _conditions(example: Example) -> str:
    conditions = []
    if example.dialect:
        conditions.append(f"on {_DIALECT_NAMES.get(example.dialect, example.dialect)}")
    if example.naming_convention:
        conditions.append("with ``naming_convention = true``")
    if example.siblings is not None:
        conditions.append(f"beside revisions {', '.join(example.siblings)}")
    if example.server_version is not None:
        conditions.append(f"on release {'.'.join(map(str, example.server_version))}")
    if example.file_name != EXAMPLE_FILE_NAME:
        conditions.append(f"in ``{example.file_name}``")
    return f" ({', '.join(conditions)})" if conditions else ""


class LintRulesDirective(SphinxDirective):
    """``.. lback-lint-rules::``: a section for every lint rule, in code order."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        lines: list[str] = []
        for rule in all_rules():
            lines += rule_lines(rule)
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(
            self.state, StringList(lines, source="lback_migrations.lint.rules"), container
        )
        return list(container.children)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive with Sphinx."""
    app.add_directive("lback-lint-rules", LintRulesDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
