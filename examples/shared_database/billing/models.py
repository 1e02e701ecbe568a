"""Billing's own tables, in the database's default schema."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "billing_customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # Filled by a trigger the database team owns: mapped for reading, never migrated from here.
    search_text: Mapped[str | None] = mapped_column(Text, info={"skip_autogenerate": True})


class Invoice(Base):
    __tablename__ = "billing_invoice"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("billing_customer.id"))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class Rate(Base):
    """Exchange rates: the finance team's table, read by billing, migrated by finance."""

    __tablename__ = "finance_rate"
    __table_args__: ClassVar[dict[str, Any]] = {"info": {"skip_autogenerate": True}}

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 6))
