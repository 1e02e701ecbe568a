"""What installing lback-migrations adds to ``python -c "import alembic"``.

Alembic loads every ``alembic.plugins`` entry point on import, so once lback-migrations is
installed, every Alembic command imports its plugin module. This script measures that cost
honestly, with two throwaway virtual environments that differ only by the package:

``with``
    the wheel built from this repository, installed with pip (which brings Alembic,
    SQLAlchemy, black, libcst, blinker ...);
``without``
    exactly the same distributions at the same versions (``pip freeze`` of the first), less
    lback-migrations.

Both interpreters run ``python -c "import alembic"`` ``--runs`` times each, alternately (the
order flipping every round so that neither always runs second on a busy machine); the script
prints the medians and their ratio, and the modules that only the ``with`` environment imports.

Run it::

    python benchmarks/import_alembic.py [--runs 200] [--keep DIRECTORY]

``--keep`` keeps (and on later runs reuses) the two environments in ``DIRECTORY``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.03
IMPORT = "import alembic"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def clean_environment() -> dict[str, str]:
    """The environment of the timed interpreters: nothing that changes what they import."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME"}
    }


def run(*argv: str | Path) -> str:
    return subprocess.run(
        [str(arg) for arg in argv],
        check=True,
        capture_output=True,
        text=True,
        env=clean_environment(),
    ).stdout


def build_wheel(directory: Path) -> Path:
    isolation = ["--no-isolation"] if importlib.util.find_spec("hatchling") else []
    run(sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", directory, REPOSITORY)
    return max(directory.glob("lback_migrations-*.whl"), key=lambda path: path.stat().st_mtime)


def pip_install(python: Path, *arguments: str | Path) -> None:
    run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *arguments)


def prepare(directory: Path) -> dict[str, Path]:
    """Create (or reuse) the two environments; return their interpreters."""
    pythons = {name: directory / name / "bin" / "python" for name in ("with", "without")}
    if all(python.exists() for python in pythons.values()):
        log(f"reusing the environments in {directory}")
    else:
        log("building the wheel and the two environments")
        wheel = build_wheel(directory / "dist")
        for name in pythons:
            venv.create(directory / name, with_pip=True, clear=True)
        pip_install(pythons["with"], wheel)
        frozen = run(pythons["with"], "-m", "pip", "freeze", "--exclude", "lback-migrations")
        requirements = directory / "requirements.txt"
        requirements.write_text(frozen)
        pip_install(pythons["without"], "--no-deps", "-r", requirements)
    check_environments(pythons)
    return pythons


def check_environments(pythons: dict[str, Path]) -> None:
    """Refuse to measure unless the environments differ exactly by lback-migrations."""
    freeze = {
        name: set(run(python, "-m", "pip", "freeze").splitlines())
        for name, python in pythons.items()
    }
    extra = freeze["with"] - freeze["without"]
    if [re.split(r"[=@ ]", line)[0] for line in extra] != ["lback-migrations"] or (
        freeze["without"] - freeze["with"]
    ):
        raise SystemExit(f"the environments differ by more than lback-migrations: {extra}")
    probe = "import alembic, sys; print('lback_migrations.plugin' in sys.modules)"
    loaded = {name: run(python, "-c", probe).strip() for name, python in pythons.items()}
    if loaded != {"with": "True", "without": "False"}:
        raise SystemExit(f"the plugin is not loaded as expected: {loaded}")


def time_imports(pythons: dict[str, Path], runs: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in pythons}
    order = list(pythons)
    environment = clean_environment()
    for round_number in range(runs):
        for name in order if round_number % 2 == 0 else reversed(order):
            started = time.perf_counter()
            subprocess.run([str(pythons[name]), "-c", IMPORT], check=True, env=environment)
            samples[name].append(time.perf_counter() - started)
        if (round_number + 1) % 50 == 0:
            log(f"  {round_number + 1}/{runs} rounds")
    return samples


def extra_modules(pythons: dict[str, Path]) -> list[str]:
    """The modules ``import alembic`` loads with lback-migrations installed and not without."""
    probe = "import alembic, sys; print('\\n'.join(sys.modules))"
    loaded = {name: set(run(python, "-c", probe).split()) for name, python in pythons.items()}
    return sorted(loaded["with"] - loaded["without"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="imports per environment")
    parser.add_argument("--keep", type=Path, help="keep and reuse the environments here")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        directory = arguments.keep or Path(temporary)
        directory.mkdir(parents=True, exist_ok=True)
        pythons = prepare(directory)
        log(f"timing {arguments.runs} imports per environment")
        samples = time_imports(pythons, arguments.runs)
        extra = extra_modules(pythons)

    medians = {name: statistics.median(values) for name, values in samples.items()}
    ratio = medians["with"] / medians["without"]
    print(f'python -c "{IMPORT}", median of {arguments.runs} runs per environment')
    print()
    print(f"{'environment':<30} {'median':>9} {'p10':>9} {'p90':>9}")
    for name, values in samples.items():
        deciles = statistics.quantiles(values, n=10)
        label = f"{name} lback-migrations"
        print(
            f"{label:<30} {medians[name] * 1000:7.1f}ms {deciles[0] * 1000:7.1f}ms"
            f" {deciles[-1] * 1000:7.1f}ms"
        )
    print()
    print(f"ratio with / without: {ratio:.3f}x (target: at most {TARGET_RATIO}x)")
    print(f"modules imported only with lback-migrations ({len(extra)}): {', '.join(extra)}")


if __name__ == "__main__":
    main()
