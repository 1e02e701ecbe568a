"""What recording the checksums of applied revisions adds to ``alembic upgrade head``.

A generated history of ``--count`` revisions (``benchmarks/history.py``) is run with the stock
``alembic upgrade head --sql`` against a PostgreSQL URL (offline: every revision's code runs
and every step's checksum is computed and written into the script, no server needed):

``without checksums``
    the ``lback`` template's ``env.py`` with the checksum recorder left out of
    ``on_version_apply``: the baseline.
``lback``
    the ``lback`` template's ``env.py`` as ``alembic init -t lback`` writes it.

What is timed is the whole command, interpreter start-up included: the median of ``--repeat``
runs per case, interleaved round by round so that a busy machine slows both alike.

Run it::

    python benchmarks/checksum_cost.py [--count 500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from history import generate_history

BIN = Path(sys.executable).parent
URL = "postgresql+psycopg://bench@localhost/bench"
WITHOUT_CHECKSUMS = """
_configure_options = environment.configure_options


def _without_checksums(dialect_name=None):
    options = _configure_options(dialect_name)
    options["on_version_apply"] = options["on_version_apply"][:1]
    return options


environment.configure_options = _without_checksums
"""


def _project(root: Path, count: int, without_checksums: bool) -> Path:
    root.mkdir(parents=True)
    subprocess.run(
        [str(BIN / "alembic"), "init", "-t", "lback", "migrations"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("sqlite:///%(here)s/app.db", URL))
    generate_history(root / "migrations" / "versions", count)
    if without_checksums:
        env = root / "migrations" / "env.py"
        anchor = "target_metadata = environment.target_metadata\n"
        env.write_text(env.read_text().replace(anchor, anchor + WITHOUT_CHECKSUMS))
    return root


def _run(root: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(BIN / "alembic"), "upgrade", "head", "--sql"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="lback-checksum-bench-"))
    try:
        cases = {
            "without checksums": _project(directory / "baseline", arguments.count, True),
            "lback": _project(directory / "lback", arguments.count, False),
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(arguments.repeat):
            for name, root in cases.items():
                times[name].append(_run(root))
        medians = {name: statistics.median(values) for name, values in times.items()}
        for name, value in medians.items():
            print(f"{name:<20} {value:8.3f} s  (median of {arguments.repeat})")
        ratio = medians["lback"] / medians["without checksums"]
        print(f"upgrade head --sql of {arguments.count} revisions, lback / without: {ratio:.3f}x")
    finally:
        shutil.rmtree(directory)


if __name__ == "__main__":
    main()
