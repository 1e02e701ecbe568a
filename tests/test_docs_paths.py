"""The way into the docs: the README's build line and the index's "start here" path."""

from __future__ import annotations

import re
import shlex
import sys

from tests.projects import REPOSITORY

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


def test_readme_docs_build_line_installs_the_docs_extra_first() -> None:
    readme = (REPOSITORY / "README.md").read_text()
    line = re.search(r"Build the docs with `([^`]+)`", readme)
    assert line is not None
    install, _, build = line.group(1).partition(" && ")
    assert shlex.split(install) == ["pip", "install", ".[docs]"]
    assert shlex.split(build)[:2] == ["sphinx-build", "-W"]


def test_docs_extra_holds_the_theme_the_docs_use() -> None:
    conf = (REPOSITORY / "docs" / "conf.py").read_text()
    theme = re.search(r'^html_theme = "(\w+)"', conf, re.MULTILINE)
    assert theme is not None
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    extra = {re.split(r"[<>=\[]", item)[0] for item in project["optional-dependencies"]["docs"]}
    assert {"sphinx", theme.group(1)} <= extra


def test_index_starts_with_a_path_through_the_first_pages() -> None:
    index = (REPOSITORY / "docs" / "index.rst").read_text()
    start = index.split("Start here\n----------\n")[1].split(".. toctree::")[0]
    pages = re.findall(r":doc:`([\w-]+)`", start)
    assert pages[:3] == ["installation", "quickstart", "first-change"]
    assert all((REPOSITORY / "docs" / f"{page}.rst").is_file() for page in pages)
