"""A client's full name (李秀芬) beside the salutation shown to them (李女士).

Only rule privacy.other_client reads it, to know a name that identifies a client; nullable, for
a client whose full name was never collected.

Revision ID: 0005_client_full_names
Revises: 0004_pii_originals
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_client_full_names"
down_revision = "0004_pii_originals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("full_name", sa.String(64)))


def downgrade() -> None:
    raise NotImplementedError("the records are never rolled back")
