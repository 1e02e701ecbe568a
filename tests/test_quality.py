"""The codebase passes its own gates: ruff, mypy --strict and a warning-free Sphinx build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.projects import REPOSITORY, command_path


def run_tool(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=REPOSITORY, capture_output=True, text=True, check=False, timeout=600
    )


def test_ruff_finds_nothing_to_fix() -> None:
    result = run_tool(
        command_path("ruff"), "check", "src", "tests", "benchmarks", "examples", "docs"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_every_file_as_is() -> None:
    result = run_tool(
        command_path("ruff"), "format", "--check", "src", "tests", "benchmarks", "examples", "docs"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = run_tool(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path: Path) -> None:
    result = run_tool(
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-q",
        "-b",
        "html",
        "docs",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
