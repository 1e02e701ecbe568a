"""Sphinx configuration for the lback-migrations documentation."""

from __future__ import annotations

import sys
from pathlib import Path

# Local extensions: lint_rules builds the lint rule reference from the rule classes.
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "lback-migrations"
author = "lback-migrations developers"
copyright = "2026, lback-migrations developers"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "lint_rules",
]
autodoc_typehints = "description"
autodoc_member_order = "bysource"
nitpicky = False
intersphinx_mapping: dict[str, tuple[str, None]] = {}
html_theme = "furo"
html_title = "lback-migrations"
exclude_patterns = ["_build"]
