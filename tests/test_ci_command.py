"""``lback-migrations ci``: drift, several heads, unapplied revisions and lint findings, each
reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.databases import Database
from tests.models import ACCOUNT_MODELS, TARGET_BASE_METADATA, account_column
from tests.projects import AlembicProject

MODELS_WITH_EMAIL = account_column("email: Mapped[str] = mapped_column(String(200))")


def ci_report(
    project: AlembicProject, *args: str, lint: bool = False
) -> tuple[int, dict[str, Any]]:
    done = project.lback("ci", "--json", *([] if lint else ["--no-lint"]), *args, check=False)
    report = json.loads(done.stdout)
    return done.returncode, {check["name"]: check for check in report["checks"]} | {
        "ok": report["ok"]
    }


def project_with_revision(root: Path, database: Database) -> AlembicProject:
    project = AlembicProject.create(
        root, database, models=ACCOUNT_MODELS, options=TARGET_BASE_METADATA
    )
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
    statuses = dict(line.split()[:2] for line in done.stdout.splitlines() if line[:1] != " ")
    assert statuses["heads"] == "OK"
    assert statuses["drift"] == "FAILED"
    assert "add_column account.email" in done.stdout


SCRATCH_REVISION = '''"""scratch table"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = {down_revision!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("scratch", sa.Column("id", sa.Integer, primary_key=True))
    op.drop_table("scratch")


def downgrade() -> None:
    pass
'''


def test_ci_fails_on_a_lint_error_and_passes_once_it_is_suppressed(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = project_with_revision(tmp_path / "project", sqlite_database)
    (first,) = project.revision_files()
    revision = project.versions / "0002_scratch_table.py"
    revision.write_text(SCRATCH_REVISION.format(down_revision=first.name.split("_")[0]))
    (project.versions / "HEADS").write_text("0002\n")  # a revision written by hand updates HEADS

    code, report = ci_report(project, "--upgrade", lint=True)
    assert code == 1
    assert report["lint"]["status"] == "failed"
    errors = [item for item in report["lint"]["details"] if item["severity"] == "error"]
    assert [(item["code"], item["line"]) for item in errors] == [
        ("LB101", revision.read_text().splitlines().index('    op.drop_table("scratch")') + 1)
    ]
    assert [report[name]["status"] for name in ("heads", "drift")] == ["ok", "ok"]

    revision.write_text(
        revision.read_text().replace(
            'op.drop_table("scratch")', 'op.drop_table("scratch")  # lback: ignore[LB101]'
        )
    )
    code, report = ci_report(project, "--upgrade", lint=True)
    assert code == 0, report
    assert report["lint"]["status"] == "ok"
    assert not [item for item in report["lint"]["details"] if item["severity"] == "error"]


def test_ci_reports_a_lint_run_that_cannot_start_as_failed(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = project_with_revision(tmp_path / "project", sqlite_database)
    hook = "lback_lint.type = lback_lint\n"
    ini = project.ini_path.read_text()
    assert hook in ini
    project.ini_path.write_text(ini.replace(hook, hook + "lback_lint.fail_on = sometimes\n"))
    code, report = ci_report(project, lint=True)
    assert code == 1
    assert report["lint"]["status"] == "failed"
    assert report["lint"]["summary"].startswith("lint could not run (exit 2)")


def test_ci_lint_summary_counts_and_names_only_findings_at_or_above_fail_on(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = project_with_revision(tmp_path / "project", sqlite_database)
    (first,) = project.revision_files()
    revision = project.versions / "0002_scratch_table.py"
    revision.write_text(SCRATCH_REVISION.format(down_revision=first.name.split("_")[0]))

    _, report = ci_report(project, "--upgrade", lint=True)
    codes = sorted(item["code"] for item in report["lint"]["details"])
    assert codes == ["LB101", "LB105"]
    assert report["lint"]["summary"] == (
        "1 finding(s) at or above fail_on (LB101), 1 finding(s) below fail_on"
    )
