"""What a ``verify`` run may leave behind: shadow databases on a server, temporary directories
for SQLite. Tests assert there is none."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.databases import Database

SHADOW_MARK = "_lback_shadow_"


def shadow_leftovers(database: Database, temporary: Path) -> list[str]:
    """The shadow databases of ``database`` still on its server, or (SQLite) the shadow
    directories still in ``temporary`` (the ``TMPDIR`` of the run)."""
    if database.backend == "sqlite":
        return sorted(path.name for path in temporary.glob("lback_shadow_*"))
    prefix = f"{database.url.database}{SHADOW_MARK}"
    query = (
        "SELECT datname FROM pg_database"
        if database.backend == "postgresql"
        else "SELECT schema_name FROM information_schema.schemata"
    )
    engine = sa.create_engine(database.url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            names = [row[0] for row in connection.exec_driver_sql(query)]
    finally:
        engine.dispose()
    return sorted(name for name in names if name.startswith(prefix))
