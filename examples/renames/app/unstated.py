"""The same models after the same renames, stated nowhere: autogenerate sees drop + add.

On a terminal, ``alembic revision --autogenerate`` asks one question per candidate; elsewhere it
warns and keeps drop + add. Copy this file over ``models.py`` to try it.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "author"
    __table_args__ = (Index("ix_author_name", "full_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(50))


class Publication(Base):
    __tablename__ = "publication"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))


class Review(Base):
    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("reviewer_id", "id", name="uq_review_author"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("author.id"))
    book_id: Mapped[int] = mapped_column(ForeignKey("publication.id"))
    body: Mapped[str] = mapped_column(Text)
