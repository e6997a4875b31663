"""Messages carry images: their list on the message, their bytes in `attachments`.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch migration would recreate `messages` on SQLite, and with it
    # lose the search triggers of 0003.
    op.add_column("messages", sa.Column("attachments", sa.Text(), nullable=True))
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "conversation_id",
            sa.String(36),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_attachments_conversation_id", "attachments", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_attachments_conversation_id", table_name="attachments")
    op.drop_table("attachments")
    op.execute("ALTER TABLE messages DROP COLUMN attachments")  # SQLite 3.35+: no batch
