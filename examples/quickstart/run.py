"""Run the quickstart end to end on SQLite and show what happened at each step.

Usage: ``python examples/quickstart/run.py [--keep DIRECTORY]``

The blog project is copied into a fresh directory (a temporary one unless ``--keep`` names
one), then driven with the installed ``lback-migrations`` command exactly as a user would:
init, makemigrations, migrate, history, check, rollback.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent
COMMAND = [sys.executable, "-m", "lback_migrations"]
STEPS: list[tuple[str, list[str]]] = [
    ("Create the migration environment from the lback template", ["init", "migrations"]),
    (
        "Generate the first revision from the models (the lback_lint hook prints its "
        "findings: warnings are shown, only errors fail the command)",
        ["makemigrations", "-m", "create blog"],
    ),
    ("Apply it to the database", ["migrate"]),
    ("Show the history", ["history", "--verbose"]),
    ("Check that models and migrations agree", ["check"]),
    ("Ask for a revision when nothing changed: none is written", ["makemigrations", "-m", "again"]),
    ("Roll the last revision back", ["rollback"]),
    ("Show where the database stands now", ["current"]),
]


def copy_project(destination: Path) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(
        EXAMPLE / "blog", destination / "blog", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(EXAMPLE / "pyproject.toml", destination / "pyproject.toml")


def run_steps(project: Path) -> int:
    for number, (title, arguments) in enumerate(STEPS, start=1):
        print(
            f"\n[{number}/{len(STEPS)}] {title}\n$ {shlex.join(['lback-migrations', *arguments])}",
            flush=True,
        )
        result = subprocess.run([*COMMAND, *arguments], cwd=project, check=False)
        if result.returncode != 0:
            print(f"\nStep {number} failed with exit code {result.returncode}.", file=sys.stderr)
            return result.returncode
    revisions = sorted(path.name for path in (project / "migrations" / "versions").glob("*.py"))
    print(f"\nDone. Revision files: {', '.join(revisions)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the project here and keep it")
    options = parser.parse_args()
    if options.keep is not None:
        if options.keep.exists() and any(options.keep.iterdir()):
            parser.error(f"--keep {options.keep}: the directory is not empty")
        copy_project(options.keep)
        code = run_steps(options.keep.resolve())
        print(f"The project is kept in {options.keep.resolve()}.")
        return code
    with tempfile.TemporaryDirectory(prefix="lback-quickstart-") as directory:
        copy_project(Path(directory))
        code = run_steps(Path(directory))
    print("The project was built in a temporary directory, now removed; --keep DIRECTORY keeps it.")
    return code


if __name__ == "__main__":
    sys.exit(main())
