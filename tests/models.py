"""Model sources that many tests write into a project as ``app/models.py``.

A test that needs a model of its own (check constraints, sequences, computed columns) keeps it
beside itself; the models here are the common ground: one declarative ``Base`` with an
``account`` table, which a test extends by appending mapped columns or classes.
"""

from __future__ import annotations

ACCOUNT_MODELS = """
    from sqlalchemy import String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Account(Base):
        __tablename__ = "account"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(50))
"""
"""A declarative ``Base`` and the ``account`` table: ``id`` and ``name`` (``VARCHAR(50)``)."""

ACCOUNTS_AND_POSTS = """
    import enum

    from sqlalchemy import Enum, ForeignKey, MetaData, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        metadata = MetaData(
            naming_convention={
                "ix": "ix_%(column_0_label)s",
                "uq": "uq_%(table_name)s_%(column_0_name)s",
                "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
                "pk": "pk_%(table_name)s",
            }
        )

    class Plan(enum.Enum):
        free = "free"
        paid = "paid"

    class Account(Base):
        __tablename__ = "account"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(String(200), unique=True)
        plan: Mapped[Plan] = mapped_column(Enum(Plan))

    class Post(Base):
        __tablename__ = "post"
        id: Mapped[int] = mapped_column(primary_key=True)
        account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
        title: Mapped[str | None] = mapped_column(String(100))
"""
"""Accounts with a unique email and an enum plan, and their posts (an indexed foreign key),
under a naming convention."""

ITEM_WITH_DEFAULTS = """
    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "item"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(50))
        code: Mapped[str] = mapped_column(sa.String(10), server_default="a")
        quantity: Mapped[int] = mapped_column(sa.Integer())
        active: Mapped[bool] = mapped_column(sa.Boolean(), server_default=sa.true())
        untouched: Mapped[str] = mapped_column(sa.String(10), server_default="same")
"""
"""An ``item`` table with server defaults of several types, as a history first creates it."""

ITEM_WITH_CHANGED_DEFAULTS = """
    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "item"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(80))
        code: Mapped[str] = mapped_column(sa.String(10), server_default="b")
        quantity: Mapped[str] = mapped_column(sa.String(20))
        active: Mapped[bool] = mapped_column(sa.Boolean(), server_default=sa.false())
        untouched: Mapped[str] = mapped_column(sa.String(10), server_default="same")
"""
"""The ``item`` of :data:`ITEM_WITH_DEFAULTS` with a longer name, other defaults and a
quantity turned into text: every kind of change the comparison must report."""

BASE_METADATA = "app.models:Base.metadata"
"""The ``target_metadata`` reference to the declarative models' ``Base.metadata``."""

TARGET_BASE_METADATA = {"target_metadata": BASE_METADATA}
"""The ``lback.*`` options that point a project at :data:`BASE_METADATA`."""


def account_column(line: str) -> str:
    """:data:`ACCOUNT_MODELS` with one more mapped column ``line`` in ``Account``."""
    return ACCOUNT_MODELS + f"        {line}\n"
