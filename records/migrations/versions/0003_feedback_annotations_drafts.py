"""Client feedback on turns, compliance annotations, advisor reply drafts and their edit events.

All four tables are append-only, like the turns: the database refuses to change or delete a row.

Revision ID: 0003_feedback_annotations_drafts
Revises: 0002_accounts_prices_leads
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_feedback_annotations_drafts"
down_revision = "0002_accounts_prices_leads"
branch_labels = None
depends_on = None

APPEND_ONLY = ("turn_feedback", "turn_annotations", "reply_drafts", "reply_draft_events")


def upgrade() -> None:
    op.create_table(
        "turn_feedback",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("turn_id", sa.String(36), sa.ForeignKey("turns.id"), nullable=False, index=True),
        sa.Column("client_id", sa.String(32), nullable=False, index=True),
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "turn_annotations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("turn_id", sa.String(36), sa.ForeignKey("turns.id"), nullable=False, index=True),
        sa.Column("officer_id", sa.String(32), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "reply_drafts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("client_id", sa.String(32), sa.ForeignKey("clients.id"), nullable=False, index=True),
        sa.Column("advisor_id", sa.String(32), sa.ForeignKey("advisors.id"), nullable=False, index=True),
        sa.Column("turn_id", sa.String(36), sa.ForeignKey("turns.id"), nullable=False),
        sa.Column("conversation_id", sa.String(36), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "reply_draft_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("draft_id", sa.String(36), sa.ForeignKey("reply_drafts.id"), nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("draft_id", "seq"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION advisor_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION advisor_append_only()"
            )


def downgrade() -> None:
    raise NotImplementedError("the records are never rolled back")
