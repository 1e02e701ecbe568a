"""The models after the renames, each one stated with ``info={"renamed_from": ...}``.

- ``author.name`` is now ``author.full_name``; its index keeps its name and follows the column;
- table ``book`` is now ``publication``; the foreign key of ``review.book_id`` follows it;
- ``review.author_id`` is now ``review.reviewer_id``; its foreign key and its unique
  constraint follow the column.

Copy this file over ``models.py`` to try it.
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
    full_name: Mapped[str] = mapped_column(String(50), info={"renamed_from": "name"})


class Publication(Base):
    __tablename__ = "publication"
    __table_args__ = ({"info": {"renamed_from": "book"}},)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))


class Review(Base):
    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("reviewer_id", "id", name="uq_review_author"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("author.id"), info={"renamed_from": "author_id"}
    )
    book_id: Mapped[int] = mapped_column(ForeignKey("publication.id"))
    body: Mapped[str] = mapped_column(Text)
