"""Billing's audit trail: a MetaData of its own, in its own schema where the database has them.

``BILLING_AUDIT_SCHEMA`` names the schema (on MariaDB, the database); unset, the audit tables
live in the default schema, which is what SQLite needs.
"""

from __future__ import annotations

import os

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table

AUDIT_SCHEMA = os.environ.get("BILLING_AUDIT_SCHEMA") or None

metadata = MetaData(schema=AUDIT_SCHEMA)

audit_event = Table(
    "audit_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("action", String(50), nullable=False),
    Column("happened_at", DateTime, nullable=False),
)
