"""From an analysis to the findings shown: the part of linting that runs on every file.

:func:`~lback_migrations.lint.engine.analyse` reads a file's text; its :class:`Analysis` is
what the ``lint`` command caches. :func:`conclude` adds the findings that depend on the file's
place (its name, the revisions beside it), drops those a suppression comment covers, reports
unused suppressions and applies the configured severities. It needs no parser, so a run over
cached files parses nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from .config import LintOptions
from .findings import Finding
from .rule import Assignment, LintContext, RevisionContext, RevisionFacts, Rule
from .rules import all_rules
from .suppression import Suppression

SYNTAX_ERROR = "LB900"
UNUSED_SUPPRESSION = "LB901"


class RawFinding(NamedTuple):
    """A finding before suppression and severity: code, place and message.

    A named tuple: a warm run rebuilds tens of thousands of them from the cache.
    """

    code: str
    line: int
    column: int
    first_line: int
    last_line: int
    message: str


class Analysis(NamedTuple):
    """What one file's text says, under one set of options: cacheable as JSON."""

    findings: tuple[RawFinding, ...] = ()
    facts: RevisionFacts = RevisionFacts()
    suppressions: tuple[Suppression, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return the analysis as a JSON-serialisable mapping."""
        return {
            "findings": [list(finding) for finding in self.findings],
            "revision": _assignment_json(self.facts.revision),
            "down_revision": _assignment_json(self.facts.down_revision),
            "suppressions": [list(item) for item in self.suppressions],
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Analysis:
        """Rebuild an analysis from :meth:`to_json`'s output."""
        return cls(
            findings=tuple(map(RawFinding._make, document["findings"])),
            facts=RevisionFacts(
                revision=_assignment_from_json(document["revision"]),
                down_revision=_assignment_from_json(document["down_revision"]),
            ),
            suppressions=tuple(map(Suppression._make, document["suppressions"])),
        )


def _assignment_json(assignment: Assignment | None) -> list[Any] | None:
    if assignment is None:
        return None
    return [list(assignment.values), assignment.line, assignment.column]


def _assignment_from_json(document: list[Any] | None) -> Assignment | None:
    if document is None:
        return None
    return Assignment(tuple(document[0]), document[1], document[2])


def rule_classes(options: LintOptions) -> list[type[Rule]]:
    """The rules ``options`` select that apply to its dialect."""
    return list(_plan(options).rules)


class _Plan(NamedTuple):
    """What concluding needs from the options, computed once per set of options."""

    rules: tuple[type[Rule], ...]
    contextual: tuple[Rule, ...]
    names: dict[str, str]
    severities: dict[str, Any]
    known: frozenset[str]


@functools.cache
def _plan(options: LintOptions) -> _Plan:
    every = all_rules()
    rules = tuple(
        rule for rule in every if options.selects(rule.code) and rule.applies_to(options.dialect)
    )
    context = LintContext(dialect=options.dialect, naming_convention=options.naming_convention)
    return _Plan(
        rules=rules,
        contextual=tuple(
            rule(context, _ignore_report)
            for rule in rules
            if rule.check_revision is not Rule.check_revision
        ),
        names={rule.code: rule.name for rule in every},
        severities={rule.code: options.severity_of(rule.code, rule.severity) for rule in every},
        known=frozenset(rule.code for rule in every),
    )


def conclude(
    analysis: Analysis, path: str, options: LintOptions, revision: RevisionContext
) -> list[Finding]:
    """Turn an analysis into the findings to show for the file at ``path``.

    Adds the findings of the rules that compare the file with its place, drops those a
    suppression comment covers, reports unused suppressions and applies severities.
    """
    plan = _plan(options)
    raw = list(analysis.findings)
    for rule in plan.contextual:
        for line, column, message in rule.check_revision(analysis.facts, revision):
            raw.append(RawFinding(rule.code, line, column, line, line, message))
    if analysis.suppressions:
        used: set[int] = set()
        kept: list[RawFinding] = []
        for finding in raw:
            covering = [
                number
                for number, suppression in enumerate(analysis.suppressions)
                if suppression.covers(
                    finding.code, finding.line, finding.first_line, finding.last_line
                )
            ]
            used.update(covering)
            if not covering:
                kept.append(finding)
        kept.extend(_unused_suppressions(analysis.suppressions, used, options, plan.known))
        raw = kept
    findings = [
        Finding(
            path=path,
            line=finding.line,
            column=finding.column,
            code=finding.code,
            name=plan.names[finding.code],
            message=finding.message,
            severity=plan.severities[finding.code],
        )
        for finding in raw
    ]
    return sorted(findings, key=lambda finding: (finding.line, finding.column, finding.code))


def _ignore_report(rule: Rule, where: object, message: str) -> None:
    raise TypeError(f"{rule.code} reported outside the walk: {message}")


def _unused_suppressions(
    suppressions: Sequence[Suppression], used: set[int], options: LintOptions, known: frozenset[str]
) -> Iterator[RawFinding]:
    if not options.selects(UNUSED_SUPPRESSION):
        return
    for number, suppression in enumerate(suppressions):
        if number in used or suppression.code == UNUSED_SUPPRESSION:
            continue
        if suppression.code not in known:
            problem = f"names {suppression.code}, which is no rule; fix the code or remove it"
        elif not options.selects(suppression.code):
            continue
        else:
            scope = "in this file" if suppression.whole_file else "here"
            problem = f"suppresses {suppression.code} but it reports nothing {scope}; remove it"
        line = suppression.line
        yield RawFinding(
            UNUSED_SUPPRESSION,
            line,
            suppression.column,
            line,
            line,
            f"unused suppression: {problem}",
        )
