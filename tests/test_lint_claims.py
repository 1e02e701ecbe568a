"""What each rule that claims a lock or a rewrite says happens, measured on the real server.

Every case lints a revision snippet for its target (the rule must report it), then runs the
statement the snippet amounts to on a table of PostgreSQL or MariaDB that holds rows, in a
transaction, and reads what it did: on PostgreSQL the relation locks its connection holds
(``pg_locks``) and whether the table's storage (``relfilenode``) changed; on MariaDB whether
InnoDB's table id changed, which it does when the table is copied. LB211's claim, a queue of
sessions behind an ``ALTER TABLE`` waiting for its lock, takes three sessions.
"""

from __future__ import annotations

import textwrap
import threading
import time
from typing import NamedTuple

import pytest
import sqlalchemy as sa

from lback_migrations.lint.conclusion import conclude
from lback_migrations.lint.config import LintOptions
from lback_migrations.lint.engine import analyse
from lback_migrations.lint.rule import RevisionContext
from tests.databases import Database

WRITE_BLOCKING = {"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}
REWRITE = "rewrite"


class Claim(NamedTuple):
    code: str
    revision: str
    statement: str
    effect: str
    """``rewrite``, or the lock mode the statement must take on ``account``."""


def execute(sql: str) -> str:
    return f"op.execute({sql!r})"


POSTGRESQL_CLAIMS = [
    Claim(
        "LB202",
        execute("ALTER TABLE account ALTER COLUMN score SET NOT NULL"),
        "ALTER TABLE account ALTER COLUMN score SET NOT NULL",
        "AccessExclusiveLock",
    ),
    Claim(
        "LB203",
        execute("ALTER TABLE account ALTER COLUMN score TYPE bigint"),
        "ALTER TABLE account ALTER COLUMN score TYPE bigint",
        REWRITE,
    ),
    Claim(
        "LB204",
        execute("CREATE INDEX ix_account_score ON account (score)"),
        "CREATE INDEX ix_account_score ON account (score)",
        "ShareLock",
    ),
    Claim(
        "LB206",
        execute(
            "ALTER TABLE account ADD CONSTRAINT fk_account_team "
            "FOREIGN KEY (team_id) REFERENCES team (id)"
        ),
        "ALTER TABLE account ADD CONSTRAINT fk_account_team FOREIGN KEY (team_id) "
        "REFERENCES team (id)",
        "ShareRowExclusiveLock",
    ),
    Claim(
        "LB207",
        'op.create_unique_constraint("uq_account_email", "account", ["email"])',
        "ALTER TABLE account ADD CONSTRAINT uq_account_email UNIQUE (email)",
        "AccessExclusiveLock",
    ),
    Claim(
        "LB209",
        execute("ALTER TABLE account ADD COLUMN token uuid DEFAULT gen_random_uuid()"),
        "ALTER TABLE account ADD COLUMN token uuid DEFAULT gen_random_uuid()",
        REWRITE,
    ),
    Claim(
        "LB210",
        execute("ALTER TABLE account ADD CONSTRAINT ck_account_score CHECK (score >= 0)"),
        "ALTER TABLE account ADD CONSTRAINT ck_account_score CHECK (score >= 0)",
        "AccessExclusiveLock",
    ),
    Claim(
        "LB212",
        execute("ALTER TABLE account ADD CONSTRAINT pk_account PRIMARY KEY (id)"),
        "ALTER TABLE account ADD CONSTRAINT pk_account PRIMARY KEY (id)",
        "AccessExclusiveLock",
    ),
    Claim("LB213", execute("REINDEX TABLE account"), "REINDEX TABLE account", "ShareLock"),
    Claim(
        "LB250",
        'op.add_column("account", sa.Column("double", sa.Integer(), sa.Computed("score * 2")))',
        "ALTER TABLE account ADD COLUMN double integer GENERATED ALWAYS AS (score * 2) STORED",
        REWRITE,
    ),
]
MARIADB_CLAIMS = [
    Claim(
        "LB203",
        'op.alter_column("account", "email", existing_type=sa.String(50), type_=sa.String(200))',
        "ALTER TABLE account MODIFY email VARCHAR(200)",
        REWRITE,
    ),
    Claim(
        "LB214",
        execute("ALTER TABLE account ADD COLUMN bio TEXT, ALGORITHM=COPY"),
        "ALTER TABLE account ADD COLUMN bio TEXT, ALGORITHM=COPY",
        REWRITE,
    ),
]

SETUP = (
    "CREATE TABLE team (id integer PRIMARY KEY)",
    "INSERT INTO team (id) VALUES (1)",
    "CREATE TABLE account (id integer NOT NULL, score integer, email varchar(50), team_id integer)",
    "CREATE INDEX ix_account_email ON account (email)",
)
_LOCKS = """
SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
WHERE l.pid = pg_backend_pid() AND l.granted AND c.relname = 'account'
"""
_POSTGRESQL_STORAGE = "SELECT relfilenode FROM pg_class WHERE relname = 'account'"
_MARIADB_STORAGE = (
    "SELECT TABLE_ID FROM information_schema.INNODB_SYS_TABLES "
    "WHERE NAME = CONCAT(DATABASE(), '/account')"
)


def reported_codes(claim: Claim, dialect: str, release: tuple[int, ...]) -> set[str]:
    source = f"def upgrade():\n{textwrap.indent(claim.revision, '    ')}\n"
    options = LintOptions(select=("", claim.code), dialect=dialect, server_version=release)
    revision = RevisionContext(file_name="ae1027a6acf_claim.py")
    return {f.code for f in conclude(analyse(source, options), "claim.py", options, revision)}


def fill(connection: sa.Connection) -> None:
    for statement in SETUP:
        connection.execute(sa.text(statement))
    connection.execute(
        sa.text("INSERT INTO account (id, score, email, team_id) VALUES (:id, :id, :email, 1)"),
        [{"id": number, "email": f"user{number}@example.com"} for number in range(1, 501)],
    )


@pytest.mark.parametrize("claim", POSTGRESQL_CLAIMS, ids=lambda claim: claim.code)
def test_the_postgresql_claim_of_the_rule_holds_on_the_server(
    claim: Claim, postgresql_database: Database
) -> None:
    assert claim.code in reported_codes(claim, "postgresql", (15,))
    with postgresql_database.connect() as connection:
        fill(connection)
    with postgresql_database.connect() as connection:
        before = connection.execute(sa.text(_POSTGRESQL_STORAGE)).scalar()
        connection.execute(sa.text(claim.statement))
        locks = set(connection.execute(sa.text(_LOCKS)).scalars())
        after = connection.execute(sa.text(_POSTGRESQL_STORAGE)).scalar()

    assert locks & WRITE_BLOCKING, locks
    if claim.effect == REWRITE:
        assert before != after
    else:
        assert claim.effect in locks, locks


@pytest.mark.parametrize("claim", MARIADB_CLAIMS, ids=lambda claim: claim.code)
def test_the_mariadb_claim_of_the_rule_holds_on_the_server(
    claim: Claim, mariadb_database: Database
) -> None:
    assert claim.code in reported_codes(claim, "mysql", (10, 11))
    with mariadb_database.connect() as connection:
        fill(connection)
        before = connection.execute(sa.text(_MARIADB_STORAGE)).scalar()
        connection.execute(sa.text(claim.statement))
        after = connection.execute(sa.text(_MARIADB_STORAGE)).scalar()

    assert before is not None
    assert before != after


def test_an_alter_waiting_without_lock_timeout_queues_the_queries_behind_it_lb211(
    postgresql_database: Database,
) -> None:
    claim = Claim(
        "LB211",
        'op.add_column("account", sa.Column("nickname", sa.String(50)))',
        "ALTER TABLE account ADD COLUMN nickname varchar(50)",
        "queue",
    )
    assert claim.code in reported_codes(claim, "postgresql", (15,))
    with postgresql_database.connect() as connection:
        fill(connection)
    engine = sa.create_engine(postgresql_database.url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as reader, engine.connect() as migration:
            reader.execute(sa.text("SELECT count(*) FROM account"))  # holds its share lock
            migration_pid = migration.execute(sa.text("SELECT pg_backend_pid()")).scalar()
            waiting = threading.Thread(
                target=lambda: _run_ignoring_cancel(migration, claim.statement), daemon=True
            )
            waiting.start()
            _wait_until_waiting(engine, migration_pid)
            with engine.connect() as later:
                later.execute(sa.text("SET statement_timeout = '500ms'"))
                with pytest.raises(sa.exc.OperationalError) as queued:
                    later.execute(sa.text("SELECT count(*) FROM account"))
            assert "statement timeout" in str(queued.value)
            with engine.connect() as admin:
                admin.execute(sa.text(f"SELECT pg_cancel_backend({migration_pid})"))
            reader.rollback()
            waiting.join(timeout=10)
    finally:
        engine.dispose()


def _run_ignoring_cancel(connection: sa.Connection, statement: str) -> None:
    try:
        connection.execute(sa.text(statement))
    except sa.exc.OperationalError:
        connection.rollback()


def _wait_until_waiting(engine: sa.Engine, pid: object) -> None:
    query = sa.text("SELECT count(*) FROM pg_locks WHERE pid = :pid AND NOT granted")
    deadline = time.monotonic() + 10
    with engine.connect() as admin:
        while admin.execute(query, {"pid": pid}).scalar() == 0:
            assert time.monotonic() < deadline, "the ALTER never waited for its lock"
            time.sleep(0.05)
