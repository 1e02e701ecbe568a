"""What ``verify`` found, as frozen values, and how it is shown: text or JSON.

The JSON document (``verify --output-format json``, and the payload of the
``migration_verify_completed`` signal) has the keys ``dialect``, ``ok``, ``revisions`` and
``drift``; each revision ``revision``, ``reversible``, ``schema_restored``,
``data_lost_on_upgrade``, ``data_lost_on_downgrade``, ``statements`` (``direction``, ``sql``,
``locks`` of ``relation`` and ``mode``, ``rewrites``, ``seconds``) and ``lint`` (``code``,
``verdict``). The other keys add detail. In the text, a lock marked ``(held)`` was taken by an
earlier statement of the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .lint_match import LintVerdict
from .observation import StatementEffect

DATA_LOSS, REWRITE = "data-loss", "rewrite"
FAIL_ON_LEVELS = (DATA_LOSS, REWRITE)
"""What ``--fail-on`` may add to the failures: any data lost or changed, any table rewritten."""


@dataclass(frozen=True)
class RevisionReport:
    """One revision, upgraded and downgraded on the shadow database.

    :param revision: its id.
    :param message: its message (the docstring's first line).
    :param reversible: false when the downgrade raised, or ran nothing after an upgrade that
        ran something.
    :param schema_restored: the schema after the downgrade equals the one before the upgrade.
    :param schema_differences: how it differs when it does not.
    :param data_lost_on_upgrade: ``table.column`` whose values the upgrade lost.
    :param data_lost_on_downgrade: ``table.column`` whose values (from before the upgrade)
        are gone after the downgrade.
    :param data_changed_on_upgrade: ``table.column`` whose values the upgrade changed.
    :param data_changed_on_downgrade: the same, after the downgrade.
    :param rows_lost_on_upgrade: table to the number of rows the upgrade lost.
    :param rows_lost_on_downgrade: the same, for the downgrade.
    :param rows_refused: table to the number of generated rows the database refused.
    :param statements: every statement run, with its effects.
    :param lint: the revision's lint findings and their verdicts.
    :param error: the error of a step that failed, in one line.
    """

    revision: str
    message: str = ""
    reversible: bool = True
    schema_restored: bool = True
    schema_differences: tuple[str, ...] = ()
    data_lost_on_upgrade: tuple[str, ...] = ()
    data_lost_on_downgrade: tuple[str, ...] = ()
    data_changed_on_upgrade: tuple[str, ...] = ()
    data_changed_on_downgrade: tuple[str, ...] = ()
    rows_lost_on_upgrade: Mapping[str, int] = field(default_factory=dict)
    rows_lost_on_downgrade: Mapping[str, int] = field(default_factory=dict)
    rows_refused: Mapping[str, int] = field(default_factory=dict)
    statements: tuple[StatementEffect, ...] = ()
    lint: tuple[LintVerdict, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Reversible, schema restored, and no step failed."""
        return self.reversible and self.schema_restored and self.error is None

    @property
    def loses_data(self) -> bool:
        """Whether any value or row was lost or changed, up or down."""
        return bool(
            self.data_lost_on_upgrade
            or self.data_lost_on_downgrade
            or self.data_changed_on_upgrade
            or self.data_changed_on_downgrade
            or self.rows_lost_on_upgrade
            or self.rows_lost_on_downgrade
        )

    @property
    def rewrites(self) -> bool:
        """Whether a statement rewrote a table."""
        return any(statement.rewrites for statement in self.statements)

    def fails(self, fail_on: Sequence[str]) -> bool:
        """Whether this revision fails the run, with the ``--fail-on`` levels asked for."""
        return (
            not self.ok
            or (DATA_LOSS in fail_on and self.loses_data)
            or (REWRITE in fail_on and self.rewrites)
        )

    def as_dict(self) -> dict[str, Any]:
        """The revision as in ``verify --output-format json``."""
        return {
            "revision": self.revision,
            "message": self.message,
            "ok": self.ok,
            "reversible": self.reversible,
            "schema_restored": self.schema_restored,
            "schema_differences": list(self.schema_differences),
            "data_lost_on_upgrade": list(self.data_lost_on_upgrade),
            "data_lost_on_downgrade": list(self.data_lost_on_downgrade),
            "data_changed_on_upgrade": list(self.data_changed_on_upgrade),
            "data_changed_on_downgrade": list(self.data_changed_on_downgrade),
            "rows_lost_on_upgrade": dict(self.rows_lost_on_upgrade),
            "rows_lost_on_downgrade": dict(self.rows_lost_on_downgrade),
            "rows_refused": dict(self.rows_refused),
            "statements": [statement.as_dict() for statement in self.statements],
            "lint": [verdict.as_dict() for verdict in self.lint],
            "error": self.error,
        }


@dataclass(frozen=True)
class VerifyReport:
    """The whole run.

    :param dialect: the shadow database's backend (``sqlite``, ``postgresql``, ``mariadb``).
    :param revisions: each revision verified, from the oldest.
    :param drift: the differences between the models and the database at head.
    :param drift_checked: false when the run did not end at a head, or ``env.py`` gives no
        target metadata to compare.
    :param fail_on: the ``--fail-on`` levels the run was asked for.
    """

    dialect: str
    revisions: tuple[RevisionReport, ...] = ()
    drift: tuple[str, ...] = ()
    drift_checked: bool = False
    fail_on: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Every revision reversible and restoring its schema, no ``--fail-on`` level met, no
        drift at head."""
        return not self.drift and not any(r.fails(self.fail_on) for r in self.revisions)

    def as_dict(self) -> dict[str, Any]:
        """The ``verify --output-format json`` document."""
        return {
            "dialect": self.dialect,
            "ok": self.ok,
            "revisions": [revision.as_dict() for revision in self.revisions],
            "drift": list(self.drift),
            "drift_checked": self.drift_checked,
            "fail_on": list(self.fail_on),
        }

    def summary(self) -> str:
        """The last line of the text output."""
        failed = sum(1 for revision in self.revisions if revision.fails(self.fail_on))
        losing = sum(1 for revision in self.revisions if revision.loses_data)
        rewrites = sum(1 for r in self.revisions for s in r.statements if s.rewrites)
        drift = f"{len(self.drift)} difference(s) at head" if self.drift else "no drift at head"
        if not self.drift_checked:
            drift = "drift not checked"
        verdict = "OK" if self.ok else "FAILED"
        return (
            f"{verdict}: {len(self.revisions)} revision(s) verified on {self.dialect}, "
            f"{failed} failed, {losing} losing data, {rewrites} statement(s) rewriting a table; "
            f"{drift}"
        )

    def text(self) -> str:
        """The text output: a block per revision, then the summary line."""
        blocks = [_revision_text(revision) for revision in self.revisions]
        if self.drift:
            blocks.append("drift at head (run makemigrations):\n" + _lines(self.drift, "  "))
        return "\n\n".join([*blocks, self.summary()]) + "\n"


def _lines(items: Sequence[str], indent: str) -> str:
    return "\n".join(indent + item for item in items)


def _revision_text(revision: RevisionReport) -> str:
    title = f"{revision.revision} {revision.message}".rstrip()
    lines = [f"{title}: {'ok' if revision.ok else 'FAILED'}"]
    for statement in revision.statements:
        sql = " ".join(statement.sql.split())
        lines.append(f"  {statement.direction:<9} {sql}  ({statement.seconds * 1000:.1f} ms)")
        if statement.locks:
            locks = ", ".join(
                f"{lock.relation} {lock.mode}{'' if lock in statement.acquired else ' (held)'}"
                for lock in statement.locks
            )
            lines.append(f"            locks: {locks}")
        if statement.rewrites:
            lines.append(f"            rewrites: {', '.join(statement.rewrites)}")
    facts = (
        ("data lost on upgrade", revision.data_lost_on_upgrade),
        ("data changed on upgrade", revision.data_changed_on_upgrade),
        ("data lost on downgrade", revision.data_lost_on_downgrade),
        ("data changed on downgrade", revision.data_changed_on_downgrade),
        ("rows lost on upgrade", [f"{t} ({n})" for t, n in revision.rows_lost_on_upgrade.items()]),
        (
            "rows lost on downgrade",
            [f"{t} ({n})" for t, n in revision.rows_lost_on_downgrade.items()],
        ),
    )
    lines += [f"  {label}: {', '.join(items)}" for label, items in facts if items]
    lines.append(
        f"  reversible: {'yes' if revision.reversible else 'NO'}; "
        f"schema restored: {'yes' if revision.schema_restored else 'NO'}"
    )
    lines += ["    " + difference for difference in revision.schema_differences]
    lines += [f"  lint {v.code} {v.verdict} (line {v.line})" for v in revision.lint]
    if revision.error:
        lines.append(f"  error: {revision.error}")
    return "\n".join(lines)
