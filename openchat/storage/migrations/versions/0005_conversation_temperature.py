"""A conversation may set the temperature its answers are sampled at.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("conversations", sa.Column("temperature", sa.Float(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE conversations DROP COLUMN temperature")  # SQLite 3.35+: no batch
