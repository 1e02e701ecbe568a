"""Trustworthy Alembic autogenerate.

The package root stays import-light on purpose: Alembic imports the ``lback`` plugin (and so
this module) on every command, so nothing heavy may be imported here.
"""

from __future__ import annotations

__version__ = "0.1.0"
