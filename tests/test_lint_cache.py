"""A lint cache entry of the wrong shape is dropped and recomputed, never trusted."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lback_migrations.lint.conclusion import is_analysis_document
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


CORRUPTIONS = {
    "findings a string": _set("findings", "x" * 240),
    "codes an int": _set("codes", 7),
    "codes not those of the findings": _set("codes", []),
    "a finding that is not line:column: CODE": _set("findings", ["nonsense"]),
    "spans of the wrong length": _set("spans", [[1, 2], [3, 4], [5, 6]]),
    "suppressions a dict": _set("suppressions", {}),
    "revision a string": _set("revision", "a1"),
    "findings missing": _drop("findings"),
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


def test_an_entry_as_the_analysis_writes_it_is_valid() -> None:
    from lback_migrations.lint.conclusion import Analysis, RawFinding

    finding = RawFinding("LB101", 3, 5, 3, 4, "drops a table")
    assert is_analysis_document(Analysis(findings=(finding,)).to_json())
    assert not is_analysis_document([])


def test_lint_that_cannot_run_exits_2_never_1(project: AlembicProject) -> None:
    # A revision directory that cannot be listed is an error of the run, not a finding.
    done = project.lback("lint", "does-not-exist.py", check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
