"""``lback-migrations ci``: drift, several heads and unapplied revisions, each reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.databases import Database
from tests.projects import AlembicProject
from tests.test_commands import MODELS

OPTIONS = {"target_metadata": "app.models:Base.metadata"}

MODELS_WITH_EMAIL = MODELS + ("        email: Mapped[str] = mapped_column(String(200))\n")


def ci_report(project: AlembicProject, *args: str) -> tuple[int, dict[str, Any]]:
    done = project.lback("ci", "--json", "--no-lint", *args, check=False)
    report = json.loads(done.stdout)
    return done.returncode, {check["name"]: check for check in report["checks"]} | {
        "ok": report["ok"]
    }


def project_with_revision(root: Path, database: Database) -> AlembicProject:
    project = AlembicProject.create(root, database, models=MODELS, options=OPTIONS)
    project.autogenerate("create account")
    return project


def test_ci_passes_on_a_database_upgraded_to_matching_migrations(
    tmp_path: Path, database: Database
) -> None:
    project = project_with_revision(tmp_path / "project", database)
    code, report = ci_report(project, "--upgrade")
    assert code == 0, report
    assert report["ok"] is True
    assert [report[name]["status"] for name in ("heads", "applied", "drift", "lint")] == [
        "ok",
        "skipped",
        "ok",
        "skipped",
    ]


def test_ci_fails_on_models_that_drift_from_the_migrations(
    tmp_path: Path, database: Database
) -> None:
    project = project_with_revision(tmp_path / "project", database)
    project.write_models(MODELS_WITH_EMAIL)
    code, report = ci_report(project, "--upgrade")
    assert code == 1
    assert report["drift"]["status"] == "failed"
    assert report["drift"]["details"] == ["add_column account.email"]
    assert report["heads"]["status"] == "ok"


def test_ci_fails_on_several_heads(tmp_path: Path, sqlite_database: Database) -> None:
    project = project_with_revision(tmp_path / "project", sqlite_database)
    (first,) = project.revision_files()
    root_id = first.name.split("_")[0]
    for branch in ("b1", "b2"):
        project.alembic("revision", "-m", branch, "--head", root_id, "--splice", "--rev-id", branch)
    code, report = ci_report(project)
    assert code == 1
    assert report["heads"]["status"] == "failed"
    assert sorted(report["heads"]["details"]) == ["b1", "b2"]


def test_ci_fails_on_revisions_not_applied_when_asked(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = project_with_revision(tmp_path / "project", sqlite_database)
    (revision,) = project.revision_files()
    code, report = ci_report(project, "--require-applied")
    assert code == 1
    assert report["applied"]["status"] == "failed"
    assert report["applied"]["details"] == [revision.name.split("_")[0]]


def test_ci_text_report_names_each_check(tmp_path: Path, sqlite_database: Database) -> None:
    project = project_with_revision(tmp_path / "project", sqlite_database)
    project.write_models(MODELS_WITH_EMAIL)
    done = project.lback("ci", "--upgrade", "--no-lint", check=False)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["heads", "OK"]
    assert lines[2].split()[:2] == ["drift", "FAILED"]
    assert "add_column account.email" in done.stdout
