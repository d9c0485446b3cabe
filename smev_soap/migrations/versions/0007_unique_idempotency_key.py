"""One message per idempotency key (D10): a unique (sender, Body digest) index.

Replaces the advisory lock that serialised concurrent copies: the second copy's insert now
conflicts and is answered as the duplicate it is. Gateway-made messages (no digest) never
conflict, NULLs being distinct.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_message_idempotency", "message")
    op.create_index("uq_message_idempotency", "message", ["sender_code", "body_digest"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("uq_message_idempotency", "message")
    op.create_index("ix_message_idempotency", "message",
                    ["sender_code", "body_digest", "created_at"])
