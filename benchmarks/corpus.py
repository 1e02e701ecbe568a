"""The precision corpus: the Alembic histories that 20 open-source projects ship in their wheels.

``python benchmarks/corpus.py fetch`` downloads each pinned wheel with ``pip download --no-deps``
into ``benchmarks/.corpus/`` (not committed) and extracts its revision files there, one
directory per project. ``python benchmarks/corpus.py lint`` runs ``lback-migrations lint`` over
them (each project with its target dialect, no cache) and writes every finding to
``benchmarks/.corpus/findings.json``. ``python benchmarks/corpus.py precision`` reads the
hand classification of a sample of each rule's findings (``benchmarks/precision.json``,
committed: ``real`` or ``noise`` per sampled finding, with a reason) and prints the precision of
each rule, which docs/lint-rules.rst publishes. ``python benchmarks/corpus.py sample`` prints the
findings not yet classified, a fixed sample per rule, for a person to judge.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".corpus"
CLASSIFIED = HERE / "precision.json"
BIN = Path(sys.executable).parent
SAMPLE = 12
"""Findings sampled per rule (all of them when a rule has fewer)."""

PROJECTS: dict[str, tuple[str, str, str]] = {
    # name: (version, directory of revisions in the wheel, target dialect); the name is the
    # distribution's, less a suffix after its own for a second history in the same wheel
    "apache-airflow-core": ("3.3.2", "airflow/migrations/versions", "postgresql"),
    "apache-superset": ("6.1.0", "superset/migrations/versions", "postgresql"),
    "aim": ("3.29.1", "aim/web/migrations/versions", "sqlite"),
    "buildbot": ("4.3.0", "buildbot/db/migrations/versions", "postgresql"),
    "ckan": ("2.12.0", "ckan/migration/versions", "postgresql"),
    "dagster": ("1.13.29", "dagster/_core/storage/alembic/versions", "postgresql"),
    "galaxy-data": ("26.1.2", "galaxy/model/migrations/alembic/versions_gxy", "postgresql"),
    "gnocchi": ("4.7.1", "gnocchi/indexer/alembic/versions", "postgresql"),
    "ironic": ("39.0.0", "ironic/db/sqlalchemy/alembic/versions", "mysql"),
    "jupyterhub": ("6.1.1", "jupyterhub/alembic/versions", "sqlite"),
    "keystone": ("30.0.0", "keystone/common/sql/migrations/versions", "mysql"),
    "langflow-base": ("1.13.0", "langflow/alembic/versions", "postgresql"),
    "manila": ("23.0.1", "manila/db/migrations/alembic/versions", "mysql"),
    "meltano": ("4.4.1", "meltano/migrations/versions", "postgresql"),
    "mlflow-skinny": ("3.18.0", "mlflow/store/db_migrations/versions", "postgresql"),
    "neutron": ("29.0.0", "neutron/db/migration/alembic_migrations/versions", "mysql"),
    "octavia": ("19.0.0", "octavia/db/migration/alembic_migrations/versions", "mysql"),
    "optuna": ("5.1.0", "optuna/storages/_rdb/alembic/versions", "sqlite"),
    "prefect": ("3.9.1", "prefect/server/database/_migrations/versions/postgresql", "postgresql"),
    "prefect-sqlite": ("3.9.1", "prefect/server/database/_migrations/versions/sqlite", "sqlite"),
    "zenml": ("0.98.0", "zenml/zen_stores/migrations/versions", "mysql"),
}


def fetch() -> None:
    """Download the pinned wheels and extract their revision files."""
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    for name, (version, directory, _) in PROJECTS.items():
        target = CACHE / "histories" / name
        if target.is_dir():
            continue
        distribution = name.removesuffix("-sqlite")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "-q",
                "-d",
                str(wheels),
                f"{distribution}=={version}",
            ],
            check=True,
        )
        stem = f"{distribution.replace('-', '_')}-{version}-"
        [wheel] = [path for path in wheels.iterdir() if path.name.startswith(stem)]
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if member.startswith(directory + "/") and member.endswith(".py"):
                    path = target / member[len(directory) + 1 :]
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(archive.read(member))
        print(f"{name} {version}: {sum(1 for _ in target.rglob('*.py'))} files")


def lint() -> list[dict[str, object]]:
    """Lint every history with the default rules; write and return the findings."""
    findings: list[dict[str, object]] = []
    # an empty environment: the histories are read without their projects' alembic.ini
    (CACHE / "alembic.ini").write_text("[alembic]\nscript_location = histories\n")
    for name, (_, _, dialect) in PROJECTS.items():
        done = subprocess.run(
            [
                str(BIN / "lback-migrations"),
                "lint",
                "--no-cache",
                "--output-format",
                "json",
                "--dialect",
                dialect,
                str(CACHE / "histories" / name),
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=CACHE,
        )
        if done.returncode not in (0, 1):
            raise SystemExit(f"{name}: lint failed: {done.stderr}")
        for finding in json.loads(done.stdout):
            finding["project"] = name
            finding["path"] = str(Path(finding["path"]).relative_to("histories"))
            findings.append(finding)
    (CACHE / "findings.json").write_text(json.dumps(findings, indent=1))
    counts = Counter(str(finding["code"]) for finding in findings)
    files = sum(1 for _ in (CACHE / "histories").rglob("*.py"))
    print(f"{files} files, {len(findings)} findings: {dict(sorted(counts.items()))}")
    return findings


def _key(finding: dict[str, object]) -> str:
    return f"{finding['path']}:{finding['line']}:{finding['code']}"


def sample() -> None:
    """Print, per rule, the sampled findings that are not classified yet."""
    findings = json.loads((CACHE / "findings.json").read_text())
    classified = json.loads(CLASSIFIED.read_text()) if CLASSIFIED.is_file() else {}
    by_code: dict[str, list[dict[str, object]]] = defaultdict(list)
    for finding in findings:
        by_code[str(finding["code"])].append(finding)
    for code, found in sorted(by_code.items()):
        chosen = random.Random(code).sample(found, min(SAMPLE, len(found)))
        for finding in chosen:
            if _key(finding).removesuffix(f":{code}") not in classified.get(code, {}):
                print(f"{_key(finding)}  {finding['message']}")


def precision() -> None:
    """Print each rule's precision on its classified sample, as classified and as the current
    rules report it (a sampled finding a later fix no longer reports leaves the sample)."""
    classified = json.loads(CLASSIFIED.read_text())
    findings = json.loads((CACHE / "findings.json").read_text())
    reported = {_key(finding) for finding in findings}
    totals = Counter(str(finding["code"]) for finding in findings)
    for code, verdicts in sorted(classified.items()):
        real = sum(1 for verdict in verdicts.values() if verdict["verdict"] == "real")
        still = {key: verdict for key, verdict in verdicts.items() if f"{key}:{code}" in reported}
        still_real = sum(1 for verdict in still.values() if verdict["verdict"] == "real")
        now = f"{still_real}/{len(still)} = {still_real / len(still):.0%}" if still else "-"
        print(
            f"{code}: sample {real}/{len(verdicts)} = {real / len(verdicts):.0%}; "
            f"still reported {now}; findings now {totals[code]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("fetch", "lint", "sample", "precision"))
    step = parser.parse_args().step
    {"fetch": fetch, "lint": lint, "sample": sample, "precision": precision}[step]()


if __name__ == "__main__":
    main()
