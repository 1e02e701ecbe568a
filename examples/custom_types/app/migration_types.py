"""The types as revisions import them.

Revisions are kept forever; this module is their stable import path, so the application can
move or rename its types without breaking old revisions (``lback.type_modules`` points here).
"""

from __future__ import annotations

from app.types import GUID, Slug

__all__ = ["GUID", "Slug"]
