"""What the two runners of ``MigrationCommands`` cost over calling Alembic yourself.

One SQLite project (``alembic init -t lback``, a 40-table model, its revision applied) is
checked four ways, the cases interleaved round by round so that a busy machine slows them alike:

``alembic.command.check``
    Alembic's command function called in this process with a fresh ``Config``;
``inprocess runner``
    ``MigrationCommands(runner="inprocess").check()``: the same call plus argument parsing,
    output capture, password masking and the signals;
``python -m alembic check``
    a new interpreter running Alembic's own command line;
``subprocess runner``
    ``MigrationCommands(runner="subprocess").check()``: a new interpreter running
    ``python -m lback_migrations check``, its output streamed and its signals forwarded.

Printed, for wall time and for CPU time (this process's and its children's: steadier than wall
time when other jobs share the cores): the median of ``--repeat`` runs of each case, the two
overhead ratios (each runner over its baseline, as the ratio of the medians and as the median of
the ratios of each round; the target is at most 1.05) and the gain of the in-process runner over
the subprocess one. Run it::

    python benchmarks/runner_overhead.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from alembic import command
from alembic.config import Config

from lback_migrations.commands import MigrationCommands

TABLES = 40


def models_source() -> str:
    tables = "\n".join(
        textwrap.dedent(
            f"""
            class Table{index}(Base):
                __tablename__ = "table_{index}"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(String(50), index=True)
                amount: Mapped[int] = mapped_column(Integer, server_default="0")
            """
        )
        for index in range(TABLES)
    )
    header = textwrap.dedent(
        """
        from sqlalchemy import Integer, String
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        class Base(DeclarativeBase):
            pass
        """
    )
    return header + tables


def make_project(root: Path) -> None:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(models_source())
    setup = MigrationCommands(directory=root, runner="subprocess", echo=False)
    for result in (setup.init(),):
        assert result.success, result.stderr
    ini = root / "alembic.ini"
    text = ini.read_text().replace(
        "[alembic]\n", "[alembic]\nlback.target_metadata = app.models:Base.metadata\n", 1
    )
    ini.write_text(text)
    for result in (setup.makemigrations("create tables"), setup.migrate()):
        assert result.success, result.stderr


class Sample(NamedTuple):
    wall: float
    cpu: float
    """CPU seconds of this process and of the children it waited for."""


def cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(call: Callable[[], object]) -> Sample:
    wall, cpu = time.perf_counter(), cpu_seconds()
    call()
    return Sample(time.perf_counter() - wall, cpu_seconds() - cpu)


def overhead(samples: dict[str, list[Sample]], measure: str, case: str, baseline: str) -> str:
    """The ratio of the medians, and the median of the ratios of each round (steadier when the
    load of the machine drifts during the run)."""
    runs = [getattr(sample, measure) for sample in samples[case]]
    bases = [getattr(sample, measure) for sample in samples[baseline]]
    of_medians = statistics.median(runs) / statistics.median(bases)
    per_round = statistics.median(run / base for run, base in zip(runs, bases, strict=True))
    return f"{of_medians:.3f}x (per round {per_round:.3f}x; target <= 1.05)"


def report(samples: dict[str, list[Sample]], measure: str) -> None:
    medians = {
        name: statistics.median(getattr(sample, measure) for sample in values)
        for name, values in samples.items()
    }
    print(f"{measure} time, medians")
    for name, value in medians.items():
        print(f"  {name:<26} {value * 1000:8.1f} ms")
    inprocess = overhead(samples, measure, "inprocess runner", "alembic.command.check")
    external = overhead(samples, measure, "subprocess runner", "python -m alembic check")
    gain = medians["subprocess runner"] / medians["inprocess runner"]
    print(f"  inprocess runner / alembic.command.check   {inprocess}")
    print(f"  subprocess runner / python -m alembic      {external}")
    print(f"  inprocess runner is {gain:.1f}x faster than the subprocess runner for check")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        make_project(root)
        sys.path.insert(0, str(root))

        def direct() -> None:
            config = Config(str(root / "alembic.ini"), stdout=io.StringIO())
            config.attributes["lback.configure_logging"] = False
            command.check(config)

        inprocess = MigrationCommands(directory=root, runner="inprocess")
        external = MigrationCommands(directory=root, runner="subprocess", echo=False)

        def python_m_alembic() -> None:
            subprocess.run(
                [sys.executable, "-m", "alembic", "check"],
                cwd=root,
                capture_output=True,
                check=True,
            )

        def checked(commands: MigrationCommands) -> Callable[[], None]:
            def run() -> None:
                result = commands.check()
                assert result.success, result.stderr

            return run

        cases: dict[str, Callable[[], object]] = {
            "alembic.command.check": direct,
            "inprocess runner": checked(inprocess),
            "python -m alembic check": python_m_alembic,
            "subprocess runner": checked(external),
        }
        for case in cases.values():  # warm imports and caches
            case()
        samples: dict[str, list[Sample]] = {name: [] for name in cases}
        for _ in range(arguments.repeat):
            for name, case in cases.items():
                samples[name].append(timed(case))

    print(f"check of a {TABLES}-table model on SQLite, {arguments.repeat} runs of each case")
    report(samples, "wall")
    report(samples, "cpu")


if __name__ == "__main__":
    main()
