"""From an analysis to the findings shown: the part of linting that runs on every file.

:func:`~lback_migrations.lint.engine.analyse` reads a file's text; its :class:`Analysis` is
what the ``lint`` command caches. :func:`conclude` adds the findings that depend on the file's
place (its name, the revisions beside it), drops those a suppression comment covers, reports
unused suppressions and applies the configured severities. It needs no parser, so a run over
cached files parses nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator, Sequence
from typing import Any, NamedTuple

from .config import LintOptions
from .findings import Finding, Severity
from .rule import Assignment, LintContext, RevisionContext, RevisionFacts, Rule
from .rules import all_rules
from .suppression import Suppression

SYNTAX_ERROR = "LB900"
UNUSED_SUPPRESSION = "LB901"


class RawFinding(NamedTuple):
    """A finding before suppression and severity: code, place and message."""

    code: str
    line: int
    column: int
    first_line: int
    last_line: int
    message: str

    @property
    def text(self) -> str:
        """``line:column: CODE message``: the finding as shown, less the path."""
        return f"{self.line}:{self.column}: {self.code} {self.message}"


def parse_text(text: str) -> tuple[int, int, str, str]:
    """``(line, column, code, message)`` of a :attr:`RawFinding.text`."""
    line, column, rest = text.split(":", 2)
    code, _, message = rest[1:].partition(" ")
    return int(line), int(column), code, message


class Shown(NamedTuple):
    """What a file shows once concluded: its findings as :attr:`RawFinding.text`, in order,
    and the set of their codes (what decides the exit code)."""

    texts: Sequence[str]
    codes: Collection[str]


class Analysis(NamedTuple):
    """What one file's text says, under one set of options: cacheable as JSON.

    :param findings: in the order they are shown (:func:`order_findings`).
    """

    findings: tuple[RawFinding, ...] = ()
    facts: RevisionFacts = RevisionFacts()
    suppressions: tuple[Suppression, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return the analysis as a JSON-serialisable mapping.

        Each finding is stored as its :attr:`~RawFinding.text`, one string that a warm run
        writes out as it is (a list of fields per finding takes three times longer to read
        back); the lines a finding's statement spans are stored only when a suppression
        may need them.
        """
        return {
            "findings": [finding.text for finding in self.findings],
            "codes": sorted({finding.code for finding in self.findings}),
            "spans": (
                [[finding.first_line, finding.last_line] for finding in self.findings]
                if self.suppressions
                else None
            ),
            "revision": _assignment_json(self.facts.revision),
            "down_revision": _assignment_json(self.facts.down_revision),
            "suppressions": [list(item) for item in self.suppressions],
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Analysis:
        """Rebuild an analysis from :meth:`to_json`'s output."""
        spans = document["spans"]
        findings = []
        for number, text in enumerate(document["findings"]):
            line, column, code, message = parse_text(text)
            first, last = spans[number] if spans is not None else (line, line)
            findings.append(RawFinding(code, line, column, first, last, message))
        return cls(
            findings=tuple(findings),
            facts=_facts(document),
            suppressions=tuple(map(Suppression._make, document["suppressions"])),
        )


def is_analysis_document(document: object) -> bool:
    """Whether ``document`` has the shape :meth:`Analysis.to_json` writes, down to each
    field's type: what a cache entry must pass before it is used (a cache file is anyone's to
    edit, and a wrong entry would be trusted on every run)."""
    if not isinstance(document, dict):
        return False
    findings, codes, spans = (document.get(key) for key in ("findings", "codes", "spans"))
    if not isinstance(findings, list) or not _is_list_of(findings, str):
        return False
    if not _is_list_of(codes, str):
        return False
    try:
        parsed = [parse_text(text) for text in findings]
    except ValueError:
        return False
    if sorted({code for _, _, code, _ in parsed}) != codes:
        return False
    if spans is not None and not (
        isinstance(spans, list)
        and len(spans) == len(findings)
        and all(_is_int_pair(span) for span in spans)
    ):
        return False
    suppressions = document.get("suppressions")
    return (
        all(_is_assignment(document.get(key, 0)) for key in ("revision", "down_revision"))
        and isinstance(suppressions, list)
        and all(_is_suppression(item) for item in suppressions)
    )


def _is_list_of(value: object, kind: type) -> bool:
    return isinstance(value, list) and all(isinstance(item, kind) for item in value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_int_pair(value: object) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(map(_is_int, value))


def _is_assignment(value: object) -> bool:
    if value is None:
        return True
    return (
        isinstance(value, list)
        and len(value) == 3
        and _is_list_of(value[0], str)
        and _is_int(value[1])
        and _is_int(value[2])
    )


def _is_suppression(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 4
        and isinstance(value[0], str)
        and _is_int(value[1])
        and _is_int(value[2])
        and isinstance(value[3], bool)
    )


def _facts(document: dict[str, Any]) -> RevisionFacts:
    return RevisionFacts(
        revision=_assignment_from_json(document["revision"]),
        down_revision=_assignment_from_json(document["down_revision"]),
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
    severities: dict[str, Severity]
    known: frozenset[str]


@functools.cache
def _plan(options: LintOptions) -> _Plan:
    every = all_rules()
    rules = tuple(
        rule for rule in every if options.selects(rule.code) and rule.applies_to(options.dialect)
    )
    context = LintContext(
        dialect=options.dialect,
        naming_convention=options.naming_convention,
        server_version=options.release,
        lock_timeout=options.lock_timeout,
        dependants=options.dependants,
    )
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
    return [
        Finding(
            path,
            finding.line,
            finding.column,
            finding.code,
            plan.names[finding.code],
            finding.message,
            plan.severities[finding.code],
        )
        for finding in concluded_rows(analysis, options, revision)
    ]


def findings_of(path: str, shown: Shown, options: LintOptions) -> list[Finding]:
    """The :class:`Finding` of each of ``shown``'s texts, for the file at ``path``."""
    plan = _plan(options)
    findings: list[Finding] = []
    for text in shown.texts:
        line, column, code, message = parse_text(text)
        findings.append(
            Finding(path, line, column, code, plan.names[code], message, plan.severities[code])
        )
    return findings


def severities(options: LintOptions) -> dict[str, Severity]:
    """The severity of every rule's findings under ``options``, by code."""
    return _plan(options).severities


def failing_codes(options: LintOptions) -> frozenset[str]:
    """The codes whose findings fail a run under ``options`` (severity at least ``fail_on``)."""
    plan = _plan(options)
    return frozenset(code for code in plan.known if options.fails(plan.severities[code]))


def concluded_rows(
    analysis: Analysis, options: LintOptions, revision: RevisionContext
) -> list[RawFinding]:
    """:func:`conclude` without building findings: what to show, in order."""
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
    return sorted(raw, key=_order)


def concluded_document(
    document: dict[str, Any], options: LintOptions, revision: RevisionContext
) -> Shown:
    """:func:`concluded_rows` on an analysis as :meth:`Analysis.to_json` stored it.

    What a warm ``lint`` run does for every file. When the file suppresses nothing and its
    place adds nothing (LB404, LB405: rare), the stored texts are the answer as they are.
    """
    if not document["suppressions"]:
        contextual = _plan(options).contextual
        facts = _facts(document) if contextual else RevisionFacts()
        for rule in contextual:
            if next(rule.check_revision(facts, revision), None) is not None:
                break
        else:
            return Shown(document["findings"], document["codes"])
    rows = concluded_rows(Analysis.from_json(document), options, revision)
    return Shown([row.text for row in rows], {row.code for row in rows})


def _order(finding: RawFinding) -> tuple[int, int, str]:
    return finding.line, finding.column, finding.code


def order_findings(findings: Sequence[RawFinding]) -> tuple[RawFinding, ...]:
    """``findings`` in the order they are shown: by line, column and code."""
    return tuple(sorted(findings, key=_order))


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
