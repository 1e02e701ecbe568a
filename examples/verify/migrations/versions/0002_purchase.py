"""create purchase

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-12 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "purchase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("total", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_purchase_placed_on", "purchase", ["placed_on"])


def downgrade() -> None:
    op.drop_index("ix_purchase_placed_on", table_name="purchase")
    op.drop_table("purchase")
