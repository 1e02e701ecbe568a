"""The lint findings of a revision, confirmed or refuted by what verify observed.

The linter guesses from a call's text; verify measured what the statements the call ran did.
A finding is matched to those statements by its line (the call's first line to its last) and
judged by what its code claims:

- a lock that blocks writes (LB202 set-not-null, LB204 index-not-concurrent, LB206 foreign key,
  LB207 unique constraint): confirmed when a statement of the call took a write-blocking lock
  or rewrote the table, refuted when none did;
- a rewrite (LB203 column-type-change): confirmed when the table was rewritten, refuted when
  it was not (a ``VARCHAR`` widening PostgreSQL does in place);
- data loss (LB101 drop-table, LB102 drop-column): confirmed when values were lost on upgrade,
  never refuted (the rows seeded may simply not have held a value);
- LB104 empty-upgrade and LB105 irreversible-downgrade: by the statements run and
  reversibility.

Any other finding, or one whose call ran no statement, is ``unverified``. This module is the
only place that knows lint codes.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .observation import StatementEffect

if TYPE_CHECKING:
    from alembic.config import Config

    from ..lint.config import LintOptions
    from ..lint.findings import Finding

CONFIRMED, REFUTED, UNVERIFIED = "confirmed", "refuted", "unverified"


@dataclass(frozen=True)
class LintVerdict:
    """A lint finding and what the measurement says of it."""

    code: str
    verdict: str
    line: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        """``{"code", "verdict", "line", "message"}``."""
        return {
            "code": self.code,
            "verdict": self.verdict,
            "line": self.line,
            "message": self.message,
        }


@dataclass(frozen=True)
class Observed:
    """What one revision did, as the verdicts need it."""

    statements: tuple[StatementEffect, ...]
    data_lost_on_upgrade: tuple[str, ...]
    reversible: bool


def _blocking(statements: Sequence[StatementEffect], observed: Observed) -> str:
    return CONFIRMED if any(statement.blocks_writes for statement in statements) else REFUTED


def _rewrite(statements: Sequence[StatementEffect], observed: Observed) -> str:
    return CONFIRMED if any(statement.rewrites for statement in statements) else REFUTED


_DATA_RULES = frozenset({"LB101", "LB102"})
_BY_STATEMENTS: dict[str, Callable[[Sequence[StatementEffect], Observed], str]] = {
    "LB202": _blocking,
    "LB204": _blocking,
    "LB206": _blocking,
    "LB207": _blocking,
    "LB203": _rewrite,
}


def project_lint_options(config: Config, dialect: str) -> LintOptions:
    """The options ``lback-migrations lint`` uses for the project, with the shadow database's
    dialect. Read once per run: finding the server's release takes a connection."""
    from ..lint.context import lint_options

    return lint_options(config)._replace(dialect=dialect)


def lint_findings(path: str, options: LintOptions) -> list[Finding]:
    """The findings ``lback-migrations lint`` reports for the revision file at ``path``."""
    from ..lint.engine import lint_source

    return lint_source(Path(path).read_text(encoding="utf-8"), path, options)


def verdicts(findings: Sequence[Finding], source: str, observed: Observed) -> list[LintVerdict]:
    """Judge each finding of a revision by what the revision was observed to do."""
    places = _call_places(source)
    judged: list[LintVerdict] = []
    for finding in findings:
        if finding.code == "LB104":
            upgraded = any(statement.direction == "upgrade" for statement in observed.statements)
            verdict = REFUTED if upgraded else CONFIRMED
        elif finding.code == "LB105":
            verdict = REFUTED if observed.reversible else CONFIRMED
        elif finding.code in _DATA_RULES:
            verdict = CONFIRMED if observed.data_lost_on_upgrade else UNVERIFIED
        elif finding.code in _BY_STATEMENTS:
            lines = places.get(finding.line, {finding.line})
            ran = [statement for statement in observed.statements if statement.line in lines]
            verdict = _BY_STATEMENTS[finding.code](ran, observed) if ran else UNVERIFIED
        else:
            verdict = UNVERIFIED
        judged.append(LintVerdict(finding.code, verdict, finding.line, finding.message))
    return judged


def _call_places(source: str) -> dict[int, set[int]]:
    """For each statement's first line, the lines a statement it ran may be attributed to: its
    own lines, and the first line of each ``with`` block around it (a batch operation runs
    its statements when the block ends)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    places: dict[int, set[int]] = {}

    def visit(node: ast.AST, enclosing: tuple[int, ...]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                end = child.end_lineno or child.lineno
                lines = places.setdefault(child.lineno, set())
                lines.update(range(child.lineno, end + 1), enclosing)
            inner = enclosing
            if isinstance(child, ast.With | ast.AsyncWith):
                inner = (*enclosing, child.lineno)
            visit(child, inner)

    visit(tree, ())
    return places
