"""One message per idempotency key (D10): a unique (sender, Body digest) index.

Replaces the advisory lock that serialised concurrent copies: the second copy's insert now
conflicts and is answered as the duplicate it is. Gateway-made messages (no digest) never
conflict, NULLs being distinct. Copies stored before (a race before the advisory lock, say)
keep their rows; all but the first of each key lose the digest, so the index can be built.
Run it before starting the new code, whose inserts name this index (``smev-soap run`` does).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text(
        "UPDATE message SET body_digest = NULL WHERE body_digest IS NOT NULL AND EXISTS ("
        " SELECT 1 FROM message AS first WHERE first.sender_code = message.sender_code"
        " AND first.body_digest = message.body_digest AND (first.created_at < message.created_at"
        " OR (first.created_at = message.created_at AND first.id < message.id)))"))
    op.drop_index("ix_message_idempotency", "message")
    op.create_index("uq_message_idempotency", "message", ["sender_code", "body_digest"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("uq_message_idempotency", "message")
    op.create_index("ix_message_idempotency", "message",
                    ["sender_code", "body_digest", "created_at"])
