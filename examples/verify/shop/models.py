"""The shop's tables, as its migrations build them."""

import sqlalchemy as sa

metadata = sa.MetaData()

customer = sa.Table(
    "customer",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("email", sa.String(100), nullable=False, unique=True),
    sa.Column("name", sa.String(50), nullable=False),
)

purchase = sa.Table(
    "purchase",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("customer_id", sa.ForeignKey("customer.id"), nullable=False),
    sa.Column("total", sa.Numeric(10, 2), nullable=False),
    sa.Column("placed_on", sa.Date(), nullable=False),
    sa.Index("ix_purchase_placed_on", "placed_on"),
)
