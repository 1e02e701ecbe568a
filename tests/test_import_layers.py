"""The package keeps its layers: the contracts of ``[tool.importlinter]`` in ``pyproject.toml``,
checked by import-linter on the installed package (see the Development page).

import-linter reads every import statement, those inside functions included, so a lazy import
breaks a contract as surely as one at the top of a module.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ("light-env-path", "adapters-on-top", "no-cycles")


def lint_imports(config: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    program = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert program is not None, "lint-imports is not installed: pip install '.[test]'"
    selected = [argument for contract in contracts for argument in ("--contract", contract)]
    return subprocess.run(
        [program, str(config), "--no-cache", *selected],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("contract", CONTRACTS)
def test_the_package_keeps_its_import_contract(contract: str) -> None:
    result = lint_imports(ROOT / "pyproject.toml", contract)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_inside_a_function_counts(tmp_path: Path) -> None:
    # the plugin imports the hooks only inside the functions Alembic calls
    config = tmp_path / "pyproject.toml"
    config.write_text(
        "[tool.importlinter]\n"
        'root_package = "lback_migrations"\n'
        "[[tool.importlinter.contracts]]\n"
        'id = "plugin-without-hooks"\n'
        'name = "The plugin never imports the hooks"\n'
        'type = "forbidden"\n'
        'source_modules = ["lback_migrations.plugin"]\n'
        'forbidden_modules = ["lback_migrations.write_hooks"]\n'
        "allow_indirect_imports = true\n"
    )
    result = lint_imports(config)
    assert result.returncode == 1
    assert "lback_migrations.plugin -> lback_migrations.write_hooks" in result.stdout
