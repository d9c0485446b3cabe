"""Multipart parts received with a message (AppDocument Reference attachments, D13).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_part",
        sa.Column("message_id", sa.String(36), sa.ForeignKey("message.id"), primary_key=True),
        sa.Column("content_id", sa.String(500), primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("message_part")
