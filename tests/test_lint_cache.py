"""A lint cache entry of the wrong shape is dropped and recomputed, never trusted; a changed file
is linted again, however little its status moved."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lback_migrations.lint.conclusion import Analysis
from lback_migrations.lint.rule import Assignment, RevisionFacts, RuleReport
from lback_migrations.lint.suppression import Suppression
from lback_migrations.result_cache import SETTLED_NS
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
    # without the latest run's findings, the run reads the entries
    (project.root / ".lback-cache" / "lint.files.json").unlink()
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


LATEST_CORRUPTIONS = {
    "findings a string": lambda rows: "x" * 240,
    "a line a string": lambda rows: [[*row[:1], "9", *row[2:]] for row in rows],
    "an unknown severity": lambda rows: [[*row[:6], "fatal"] for row in rows],
    "a field missing": lambda rows: [row[:6] for row in rows],
    "a finding a dict": lambda rows: [dict(enumerate(row)) for row in rows],
}


@pytest.mark.parametrize("corruption", LATEST_CORRUPTIONS)
def test_a_malformed_latest_run_gives_the_findings_of_a_cold_run(
    project: AlembicProject, corruption: str
) -> None:
    cold = project.lback("lint", "--no-cache", check=False)
    project.lback("lint", check=False)
    cache = project.root / ".lback-cache" / "lint.files.json"
    document = json.loads(cache.read_text())
    key, rows = document["latest"]
    document["latest"] = [key, LATEST_CORRUPTIONS[corruption](rows)]
    cache.write_text(json.dumps(document))
    warm = project.lback("lint", check=False)
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, "")
    assert "LB101" in cold.stdout


def _settle() -> None:
    """Wait until the files written so far are old enough for their status to be remembered."""
    time.sleep(SETTLED_NS / 1e9 + 0.2)


def _rewrite_keeping_status(path: Path, old: str, new: str) -> None:
    """Change ``path``'s text to one of the same size, and set its times back."""
    status = path.stat()
    text = path.read_text()
    assert len(old) == len(new)
    assert old in text
    path.write_text(text.replace(old, new))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (status.st_size, status.st_mtime_ns)


def test_a_revision_rewritten_with_the_same_size_and_times_is_linted_again(
    project: AlembicProject,
) -> None:
    _settle()
    before = project.lback("lint", check=False)
    assert project.lback("lint", check=False).stdout == before.stdout  # statuses remembered
    statuses = json.loads((project.root / ".lback-cache" / "lint.files.json").read_text())
    assert len(statuses["files"]) == 2
    _rewrite_keeping_status(project.versions / "b2_change.py", '"legacy")', '"legac2")')
    after = project.lback("lint", check=False)
    assert after.stdout == project.lback("lint", "--no-cache", check=False).stdout
    assert after.stdout != before.stdout
    assert "legac2" in after.stdout


def test_a_revision_rewritten_in_the_same_clock_tick_is_linted_again(
    project: AlembicProject,
) -> None:
    # the files were written just now: their status is not remembered, their bytes are read
    before = project.lback("lint", check=False)
    _rewrite_keeping_status(project.versions / "b2_change.py", '"legacy")', '"legac2")')
    after = project.lback("lint", check=False)
    assert "legac2" in after.stdout
    assert after.stdout == project.lback("lint", "--no-cache", check=False).stdout != before.stdout
