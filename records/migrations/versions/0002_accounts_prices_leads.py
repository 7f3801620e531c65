"""Accounts, daily price history and advisor leads; professional-investor facts on clients; holding dates.

Revision ID: 0002_accounts_prices_leads
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_accounts_prices_leads"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("financial_assets", sa.Float))
        batch.add_column(sa.Column("annual_income", sa.Float))
        batch.add_column(sa.Column("experience_years", sa.Integer))
        batch.add_column(sa.Column("onboarded_at", sa.Date))
    with op.batch_alter_table("holdings") as batch:
        batch.add_column(sa.Column("acquired_at", sa.Date))
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(32), sa.ForeignKey("clients.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("masked_no", sa.String(32), nullable=False),
        sa.Column("opened_at", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_table(
        "price_history",
        sa.Column("product_code", sa.String(16), sa.ForeignKey("products.code"), primary_key=True),
        sa.Column("price_date", sa.Date, primary_key=True),
        sa.Column("close", sa.Float, nullable=False),
    )
    op.create_table(
        "leads",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("client_id", sa.String(32), sa.ForeignKey("clients.id"), nullable=False, index=True),
        sa.Column("advisor_id", sa.String(32), sa.ForeignKey("advisors.id"), index=True),
        sa.Column("reason_code", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("turn_id", sa.String(36)),
    )


def downgrade() -> None:
    raise NotImplementedError("the records are never rolled back")
