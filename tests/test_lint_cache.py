"""A lint cache entry of the wrong shape is dropped and recomputed, never trusted."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lback_migrations.lint.conclusion import Analysis
from lback_migrations.lint.rule import Assignment, RevisionFacts, RuleReport
from lback_migrations.lint.suppression import Suppression
from tests.databases import Database
from tests.projects import AlembicProject
from tests.revision_files import CLEAN_BODY, DROP_BODY, write_revision


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database) -> AlembicProject:
    created = AlembicProject.create(tmp_path / "project", sqlite_database)
    write_revision(created, "a1", None, CLEAN_BODY)
    write_revision(created, "b2", "a1", DROP_BODY)
    return created


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(entry: dict[str, Any]) -> None:
        entry[key] = value

    return change


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    def change(entry: dict[str, Any]) -> None:
        del entry[key]

    return change


REPORT = {"code": "LB101", "line": 3, "column": 5, "message": "m", "first_line": 3, "last_line": 3}

CORRUPTIONS = {
    "reports a string": _set("reports", "x" * 240),
    "a report without its code": _set("reports", [{**REPORT, "code": None}]),
    "a report's line a string": _set("reports", [{**REPORT, "line": "3"}]),
    "a report's column a boolean": _set("reports", [{**REPORT, "column": True}]),
    "a report with a field too many": _set("reports", [{**REPORT, "severity": "error"}]),
    "suppressions a dict": _set("suppressions", {}),
    "facts a string": _set("facts", "a1"),
    "a revision id a number": _set(
        "facts", {"revision": {"values": [7], "line": 1, "column": 1}, "down_revision": None}
    ),
    "reports missing": _drop("reports"),
    "suppressions missing": _drop("suppressions"),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_a_malformed_cache_entry_gives_the_findings_of_a_cold_run(
    project: AlembicProject, corruption: str
) -> None:
    cold = project.lback("lint", "--no-cache", check=False)
    project.lback("lint", check=False)
    cache = project.root / ".lback-cache" / "lint.json"
    document = json.loads(cache.read_text())
    for entry in document["entries"].values():
        CORRUPTIONS[corruption](entry)
    cache.write_text(json.dumps(document))
    warm = project.lback("lint", check=False)
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, "")
    assert cold.returncode == 1
    again = project.lback("lint", check=False)
    assert (again.returncode, again.stdout) == (cold.returncode, cold.stdout)


def test_an_entry_as_the_analysis_writes_it_reads_back_as_the_same_analysis() -> None:
    analysis = Analysis(
        reports=(RuleReport("LB101", 3, 5, "drops a table", 3, 4),),
        facts=RevisionFacts(revision=Assignment(("a1",), 1), down_revision=None),
        suppressions=(Suppression("LB102", 3, 30, False),),
    )
    assert Analysis.from_json(json.loads(json.dumps(analysis.to_json()))) == analysis


def test_a_document_that_is_no_analysis_is_refused() -> None:
    with pytest.raises(ValueError, match="not an analysis"):
        Analysis.from_json([])


def test_lint_that_cannot_run_exits_2_never_1(project: AlembicProject) -> None:
    # A revision directory that cannot be listed is an error of the run, not a finding.
    done = project.lback("lint", "does-not-exist.py", check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
