"""The lint reports CI systems read: SARIF 2.1.0, GitLab Code Quality and JUnit XML.

- ``sarif``: one run whose tool lists every rule; GitHub code scanning accepts it
  (``github/codeql-action/upload-sarif``).
- ``gitlab``: GitLab's Code Quality report, a JSON list of issues with a stable fingerprint
  (``artifacts: reports: codequality``).
- ``junit``: one test suite, one test case per revision file; a file's findings at or above
  ``fail_on`` are its failures (``artifacts: reports: junit`` and most CI test views).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import IO, Any
from xml.etree import ElementTree

from .. import __version__
from .config import LintOptions
from .findings import Finding, Severity
from .rules import all_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITLAB_SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}
_DOCUMENTATION = "https://lback-migrations.readthedocs.io/en/latest/lint-rules.html"


def write_report(
    output_format: str, findings: Sequence[Finding], options: LintOptions, out: IO[str]
) -> None:
    """Write ``findings`` to ``out`` as ``output_format`` (``sarif``, ``gitlab`` or ``junit``)."""
    if output_format == "sarif":
        json.dump(sarif(findings), out, indent=2)
    elif output_format == "gitlab":
        json.dump(gitlab(findings), out, indent=2)
    else:
        out.write(junit(findings, options))
    out.write("\n")


def sarif(findings: Sequence[Finding]) -> dict[str, Any]:
    """The SARIF 2.1.0 log of ``findings``."""
    rules = all_rules()
    index = {rule.code: number for number, rule in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "lback-migrations",
                        "version": __version__,
                        "informationUri": _DOCUMENTATION,
                        "rules": [
                            {
                                "id": rule.code,
                                "name": rule.name,
                                "shortDescription": {"text": rule.documentation().split("\n\n")[0]},
                                "helpUri": f"{_DOCUMENTATION}#lint-rule-{rule.code.lower()}",
                                "defaultConfiguration": {"level": _SARIF_LEVELS[rule.severity]},
                            }
                            for rule in rules
                        ],
                    }
                },
                "results": [
                    {
                        "ruleId": finding.code,
                        "ruleIndex": index[finding.code],
                        "level": _SARIF_LEVELS[finding.severity],
                        "message": {"text": finding.message},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": _uri(finding.path)},
                                    "region": {
                                        "startLine": finding.line,
                                        "startColumn": finding.column,
                                    },
                                }
                            }
                        ],
                    }
                    for finding in findings
                    if finding.code in index
                ],
            }
        ],
    }


def gitlab(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """GitLab's Code Quality issues for ``findings``."""
    return [
        {
            "description": f"{finding.code} {finding.message}",
            "check_name": finding.code,
            "fingerprint": hashlib.sha256(
                f"{finding.path}\0{finding.line}\0{finding.code}\0{finding.message}".encode()
            ).hexdigest(),
            "severity": _GITLAB_SEVERITIES[finding.severity],
            "location": {"path": _uri(finding.path), "lines": {"begin": finding.line}},
        }
        for finding in findings
    ]


def junit(findings: Sequence[Finding], options: LintOptions) -> str:
    """A JUnit XML document: a test case per file, failing on findings at or above
    ``fail_on``."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    failures = 0
    suite = ElementTree.Element("testsuite", name="lback-migrations lint")
    for path, found in by_path.items():
        case = ElementTree.SubElement(suite, "testcase", classname="lint", name=path)
        failing = [finding for finding in found if options.fails(finding.severity)]
        if failing:
            failures += 1
            failure = ElementTree.SubElement(
                case,
                "failure",
                message=f"{len(failing)} finding(s) at or above fail_on = {options.fail_on}",
                type=",".join(sorted({finding.code for finding in failing})),
            )
            failure.text = "\n".join(finding.render() for finding in failing)
        others = [finding for finding in found if not options.fails(finding.severity)]
        if others:
            output = ElementTree.SubElement(case, "system-out")
            output.text = "\n".join(finding.render() for finding in others)
    suite.set("tests", str(len(by_path)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)


def _uri(path: str) -> str:
    return path.replace("\\", "/")
