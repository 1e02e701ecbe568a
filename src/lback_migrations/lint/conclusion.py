"""What a file's text says, and the findings it shows: the one shape of a lint result.

:func:`~lback_migrations.lint.engine.analyse` reads a file's text into an :class:`Analysis`:
the :class:`RuleReport` of each rule, and the facts and suppression comments the place of the file
is judged by. It is what the ``lint`` command caches, as JSON (:meth:`Analysis.to_json`).
:func:`conclude` turns it into the :class:`~lback_migrations.lint.findings.Finding` objects
shown for the file at a path: it adds the reports of the rules that compare the file with its
place, drops those a suppression comment covers, reports unused suppressions and applies the
configured severities. It needs no parser, so a run over cached files parses nothing. Only
the command and the hook render findings.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from typing import Any

from .config import LintOptions
from .findings import Finding, Severity
from .rule import (
    Assignment,
    LintContext,
    Reporter,
    RevisionContext,
    RevisionFacts,
    Rule,
    RuleReport,
)
from .rules import all_rules
from .suppression import Suppression

SYNTAX_ERROR = "LB900"
UNUSED_SUPPRESSION = "LB901"


@dataclass(frozen=True)
class Analysis:
    """What one file's text says under one set of options.

    :param reports: the rules' reports, in the order they are shown (by line, column, code).
    :param facts: the revision's identifiers, for the rules that compare it with its place.
    :param suppressions: the codes its suppression comments name.
    """

    reports: tuple[RuleReport, ...] = ()
    facts: RevisionFacts = field(default_factory=RevisionFacts)
    suppressions: tuple[Suppression, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return the analysis as a JSON-serialisable mapping (what the cache stores)."""
        return asdict(self)

    @classmethod
    def from_json(cls, document: Any) -> Analysis:
        """Rebuild an analysis from :meth:`to_json`'s output.

        Every field is checked, down to its type: a cache file is anyone's to edit, and a
        wrong entry would be trusted on every run.

        :raises ValueError: when ``document`` is not what :meth:`to_json` writes.
        """
        try:
            return cls(
                reports=tuple(_build(RuleReport, item) for item in document["reports"]),
                facts=RevisionFacts(
                    revision=_assignment(document["facts"]["revision"]),
                    down_revision=_assignment(document["facts"]["down_revision"]),
                ),
                suppressions=tuple(_build(Suppression, item) for item in document["suppressions"]),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"not an analysis: {error}") from error


def _assignment(document: Any) -> Assignment | None:
    if document is None:
        return None
    assignment: Assignment = _build(Assignment, {**document, "values": tuple(document["values"])})
    if not all(isinstance(value, str) for value in assignment.values):
        raise ValueError("an assignment's values are not strings")
    return assignment


_FIELD_TYPES = {"str": str, "int": int, "bool": bool, "tuple[str, ...]": tuple}


def _build(kind: Any, document: Any) -> Any:
    """An instance of the dataclass ``kind`` from ``document``, each field of its type."""
    fields = _fields(kind)
    if not isinstance(document, dict) or document.keys() != fields.keys():
        raise ValueError(f"not a {kind.__name__}: {document!r}")
    for name, expected in fields.items():
        value = document[name]
        if type(value) is not expected:  # exactly: a bool is no line number
            raise ValueError(f"{kind.__name__}.{name} is not {expected.__name__}: {value!r}")
    return kind(**document)


@functools.cache
def _fields(kind: Any) -> dict[str, type]:
    return {name: _FIELD_TYPES[field.type] for name, field in kind.__dataclass_fields__.items()}


def rule_classes(options: LintOptions) -> list[type[Rule]]:
    """The rules ``options`` select that apply to its dialect."""
    return list(_plan(options).rules)


@dataclass(frozen=True)
class _Plan:
    """What concluding needs from the options, computed once per set of options."""

    rules: tuple[type[Rule], ...]
    contextual: tuple[type[Rule], ...]
    context: LintContext
    names: dict[str, str]
    severities: dict[str, Severity]
    known: frozenset[str]


@functools.cache
def _plan(options: LintOptions) -> _Plan:
    every = all_rules()
    rules = tuple(
        rule for rule in every if options.selects(rule.code) and rule.applies_to(options.dialect)
    )
    return _Plan(
        rules=rules,
        contextual=tuple(rule for rule in rules if rule.check_revision is not Rule.check_revision),
        context=lint_context(options),
        names={rule.code: rule.name for rule in every},
        severities={rule.code: options.severity_of(rule.code, rule.severity) for rule in every},
        known=frozenset(rule.code for rule in every),
    )


def lint_context(options: LintOptions) -> LintContext:
    """What the rules may ask about the target under ``options``."""
    return LintContext(
        dialect=options.dialect,
        naming_convention=options.naming_convention,
        server_version=options.release,
        lock_timeout=options.lock_timeout,
        dependants=options.dependants,
    )


def conclude(
    analysis: Analysis, path: str, options: LintOptions, revision: RevisionContext
) -> list[Finding]:
    """Turn an analysis into the findings shown for the file at ``path``, in order.

    Adds the reports of the rules that compare the file with its place, drops those a
    suppression comment covers, reports unused suppressions and applies severities.
    """
    plan = _plan(options)
    reports = list(analysis.reports)
    for rule_class in plan.contextual:
        rule_class(plan.context, _reporting_to(reports)).check_revision(analysis.facts, revision)
    if analysis.suppressions:
        used: set[int] = set()
        kept: list[RuleReport] = []
        for report in reports:
            covering = {
                number
                for number, suppression in enumerate(analysis.suppressions)
                if suppression.covers(report)
            }
            used |= covering
            if not covering:
                kept.append(report)
        unused = [item for number, item in enumerate(analysis.suppressions) if number not in used]
        kept.extend(_unused_suppressions(unused, options, plan.known))
        reports = kept
    return [
        Finding(
            path,
            report.line,
            report.column,
            report.code,
            plan.names[report.code],
            report.message,
            plan.severities[report.code],
        )
        for report in sorted(reports, key=order)
    ]


def _reporting_to(reports: list[RuleReport]) -> Reporter:
    """The reporter of a rule comparing a file with its place: it reports at a
    ``(line, column)``, there being no syntax tree."""

    def report(rule: Rule, where: object, message: str) -> None:
        if not isinstance(where, tuple):
            raise TypeError(f"{rule.code} reported a node outside the walk: {message}")
        line, column = where
        reports.append(RuleReport(rule.code, line, column, message, line, line))

    return report


def order(report: RuleReport) -> tuple[int, int, str]:
    """The key reports are shown in: by line, column and code."""
    return report.line, report.column, report.code


def _unused_suppressions(
    unused: list[Suppression], options: LintOptions, known: frozenset[str]
) -> list[RuleReport]:
    if not options.selects(UNUSED_SUPPRESSION):
        return []
    from .rules.unused_suppression import UnusedSuppression

    return [
        UnusedSuppression.report_unused(suppression, known)
        for suppression in unused
        if suppression.code != UNUSED_SUPPRESSION
        and (suppression.code not in known or options.selects(suppression.code))
    ]
