"""Control calls already answered (replay guard of polls and Acks, D10).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "control_call",
        sa.Column("sender_code", sa.String(9), primary_key=True),
        sa.Column("body_digest", sa.String(128), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_control_call_received_at", "control_call", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_control_call_received_at", "control_call")
    op.drop_table("control_call")
