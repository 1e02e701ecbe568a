"""Measure the SQL parsers the linter could read ``op.execute`` with: sqlglot and pglast.

For each statement of a sample of the SQL migrations write (PostgreSQL, MariaDB and SQLite
forms), a parser is *accurate* when it builds a tree that names the statement's operation (for
sqlglot: any expression but its ``Command`` fallback; for pglast: a parse without error). Then
each parser's time per statement, and its import time, which a cold lint pays once per worker.

    pip install pglast   # not a dependency of the package
    python benchmarks/sql_parsers.py
"""

from __future__ import annotations

import importlib
import logging
import subprocess
import sys
import time

POSTGRESQL = [
    "ALTER TABLE account ADD COLUMN active boolean NOT NULL",
    "ALTER TABLE account ADD COLUMN token uuid DEFAULT gen_random_uuid()",
    "ALTER TABLE account DROP COLUMN age",
    "ALTER TABLE account ALTER COLUMN age SET NOT NULL",
    "ALTER TABLE account ALTER COLUMN age DROP NOT NULL",
    "ALTER TABLE account ALTER COLUMN age TYPE bigint",
    "ALTER TABLE account RENAME COLUMN a TO b",
    "ALTER TABLE account RENAME TO member",
    "CREATE INDEX CONCURRENTLY ix_a ON account (email)",
    "CREATE UNIQUE INDEX ix_a ON account (email)",
    "DROP INDEX CONCURRENTLY ix_a",
    "ALTER TABLE account ADD CONSTRAINT ck CHECK (age > 0) NOT VALID",
    "ALTER TABLE account VALIDATE CONSTRAINT ck",
    "ALTER TABLE post ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES b (id) NOT VALID",
    "ALTER TABLE account ADD PRIMARY KEY (id)",
    "ALTER TABLE account ADD CONSTRAINT uq UNIQUE USING INDEX uq",
    "DROP SCHEMA app CASCADE",
    "TRUNCATE account CASCADE",
    "ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy'",
    "ALTER TYPE mood ADD VALUE 'ok'",
    "ALTER SCHEMA app RENAME TO app2",
    "REINDEX INDEX CONCURRENTLY ix_a",
    "UPDATE account SET plan = 'free' WHERE plan IS NULL",
    "INSERT INTO plan (name) SELECT DISTINCT plan FROM account",
    "SET lock_timeout = '5s'",
    "CREATE EXTENSION IF NOT EXISTS pgcrypto",
    "CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ "
    "LANGUAGE plpgsql",
    "COMMENT ON COLUMN account.plan IS 'the plan'",
]
MARIADB = [
    "ALTER TABLE `account` ADD COLUMN bio TEXT, ALGORITHM=COPY",
    "ALTER TABLE account MODIFY COLUMN name VARCHAR(200) NOT NULL",
    "ALTER TABLE account CHANGE COLUMN name full_name VARCHAR(50)",
    "CREATE INDEX ix_a ON account (email) ALGORITHM=INPLACE LOCK=NONE",
    "UPDATE `account` SET plan = 'free'",
    "DROP DATABASE legacy",
]
SQLITE = [
    "ALTER TABLE account ADD COLUMN nickname TEXT",
    "ALTER TABLE account RENAME COLUMN a TO b",
    "CREATE INDEX IF NOT EXISTS ix_a ON account (email)",
    "PRAGMA foreign_keys = OFF",
]
SAMPLES = {"postgres": POSTGRESQL, "mysql": MARIADB, "sqlite": SQLITE}
ROUNDS = 50


def sqlglot_accurate(dialect: str, statement: str) -> bool:
    import sqlglot
    from sqlglot import exp

    try:
        trees = sqlglot.parse(statement, read=dialect)
    except sqlglot.errors.SqlglotError:
        return False
    return all(tree is not None and not isinstance(tree, exp.Command) for tree in trees)


def pglast_accurate(dialect: str, statement: str) -> bool:
    import pglast

    try:
        pglast.parse_sql(statement)
    except pglast.parser.ParseError:
        return False
    return True


def seconds_per_statement(parse: object, statements: list[tuple[str, str]]) -> float:
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for dialect, statement in statements:
            parse(dialect, statement)  # type: ignore[operator]
    return (time.perf_counter() - started) / ROUNDS / len(statements)


def import_seconds(module: str) -> float:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import time; t = time.perf_counter(); import {module}; "
            "print(time.perf_counter() - t)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout)


def main() -> None:
    logging.getLogger("sqlglot").setLevel(logging.CRITICAL)
    statements = [(dialect, sql) for dialect, sqls in SAMPLES.items() for sql in sqls]
    parsers = {"sqlglot": sqlglot_accurate, "pglast": pglast_accurate}
    for name, parse in parsers.items():
        try:
            importlib.import_module(name)
        except ImportError:
            print(f"{name}: not installed")
            continue
        counts = []
        for dialect, sqls in SAMPLES.items():
            accurate = sum(parse(dialect, sql) for sql in sqls)
            counts.append(f"{dialect} {accurate}/{len(sqls)}")
        per = seconds_per_statement(parse, statements) * 1e6
        print(
            f"{name}: accurate {', '.join(counts)}; {per:.0f} us per statement; "
            f"import {import_seconds(name) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
