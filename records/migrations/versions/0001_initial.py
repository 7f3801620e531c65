"""Initial schema: advisors, clients, products, holdings, transactions, tokens, conversations, turns.

Revision ID: 0001_initial
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "advisors",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("license_no", sa.String(32), nullable=False),
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("investor_type", sa.String(16), nullable=False),
        sa.Column("risk_class", sa.String(4), nullable=False),
        sa.Column("risk_assessed_at", sa.Date, nullable=False),
        sa.Column("risk_expires_at", sa.Date, nullable=False),
        sa.Column("age_band", sa.String(16)),
        sa.Column("goals", sa.JSON, nullable=False),
        sa.Column("horizon_years", sa.Integer),
        sa.Column("liquidity_need", sa.String(16)),
        sa.Column("advisor_id", sa.String(32), sa.ForeignKey("advisors.id")),
    )
    op.create_table(
        "products",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("short_name", sa.String(64)),
        sa.Column("aliases", sa.JSON, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("risk_level", sa.String(4), nullable=False),
        sa.Column("company", sa.String(128)),
        sa.Column("manager", sa.String(64)),
        sa.Column("benchmark", sa.Text),
        sa.Column("fees", sa.JSON, nullable=False),
        sa.Column("key_facts", sa.JSON, nullable=False),
        sa.Column("doc_id", sa.String(128)),
        sa.Column("industry", sa.String(64)),
    )
    op.create_table(
        "holdings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(32), sa.ForeignKey("clients.id"), nullable=False, index=True),
        sa.Column("product_code", sa.String(16), sa.ForeignKey("products.code"), nullable=False),
        sa.Column("quantity", sa.Float, nullable=False),
        sa.Column("cost", sa.Float, nullable=False),
        sa.Column("market_value", sa.Float, nullable=False),
    )
    op.create_table(
        "transactions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(32), sa.ForeignKey("clients.id"), nullable=False, index=True),
        sa.Column("trade_date", sa.Date, nullable=False),
        sa.Column("product_code", sa.String(16), sa.ForeignKey("products.code"), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("amount", sa.Float, nullable=False),
        sa.Column("quantity", sa.Float, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("client_id", sa.String(32), sa.ForeignKey("clients.id"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "turns",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("conversation_id", sa.String(36), sa.ForeignKey("conversations.id"), nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(32), nullable=False, index=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("reply", sa.Text, nullable=False),
        sa.Column("draft", sa.Text),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("risk_level", sa.String(4)),
        sa.Column("suitability", sa.JSON),
        sa.Column("intent", sa.String(32)),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("prompt_version", sa.String(64), nullable=False),
        sa.Column("content_id", sa.String(64), nullable=False),
        sa.Column("timings", sa.JSON, nullable=False),
        sa.UniqueConstraint("conversation_id", "seq"),
    )
    # The log is append-only: the database itself refuses to change or delete a turn.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TRIGGER turns_no_update BEFORE UPDATE ON turns BEGIN SELECT RAISE(ABORT, 'turns are append-only'); END")
        op.execute("CREATE TRIGGER turns_no_delete BEFORE DELETE ON turns BEGIN SELECT RAISE(ABORT, 'turns are append-only'); END")


def downgrade() -> None:
    raise NotImplementedError("the conversation log is never rolled back")
