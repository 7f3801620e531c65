"""Encrypted originals of masked personal data, and the audit of every reveal.

Both tables are append-only, like the turns: the database refuses to change or delete a row.

Revision ID: 0004_pii_originals
Revises: 0003_feedback_annotations_drafts
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_pii_originals"
down_revision = "0003_feedback_annotations_drafts"
branch_labels = None
depends_on = None

APPEND_ONLY = ("pii_originals", "pii_reveals")


def upgrade() -> None:
    op.create_table(
        "pii_originals",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("turn_id", sa.String(36), sa.ForeignKey("turns.id"), nullable=False, index=True),
        sa.Column("client_id", sa.String(32), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("policy_version", sa.String(32), nullable=False),
        sa.Column("ciphertext", sa.Text, nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "pii_reveals",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("original_id", sa.String(36), sa.ForeignKey("pii_originals.id"), nullable=False, index=True),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    elif dialect == "postgresql":  # advisor_append_only() was created by 0003
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION advisor_append_only()"
            )


def downgrade() -> None:
    raise NotImplementedError("the records are never rolled back")
