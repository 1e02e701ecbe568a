"""The comment that marks a rename a person stated, in a revision autogenerate wrote.

The rename step of autogenerate (:mod:`lback_migrations.renames`) writes it and the linter
(LB301, LB302, LB305) reads it: both import it from here, so that neither imports the other (the
env path never imports the linter, and the linter starts without Alembic's autogenerate).
"""

from __future__ import annotations

MARKER = "# lback: stated rename:"
"""The comment the rename step of autogenerate writes on the line above each rename it makes,
followed by where the rename was stated (``column author.full_name: info["renamed_from"]='name'``,
``-x rename=author.name:full_name``, an answer to its question)."""
