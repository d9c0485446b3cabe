"""Registry, queues and journal: participants, certificates, kinds of information, providers,
classified list, grants; messages and queue items; journal events and seals.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OPEN = "state IN ('pending', 'leased')"


def _partial(where: str) -> dict:
    return {"postgresql_where": sa.text(where), "sqlite_where": sa.text(where)}


def upgrade() -> None:
    op.create_table(
        "journal_event",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("participant", sa.String(9)),
        sa.Column("actor", sa.String(100)),
        sa.Column("message_id", sa.String(100)),
        sa.Column("chain_id", sa.String(100)),
        sa.Column("error_code", sa.String(16)),
        sa.Column("detail", sa.Text),
        sa.Column("digest", sa.String(128)),
        sa.Column("batch_id", sa.BigInteger),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_journal_event_message_id", "journal_event", ["message_id"])
    op.create_index("ix_journal_event_chain_id", "journal_event", ["chain_id"])
    op.create_index("ix_journal_event_batch_id", "journal_event", ["batch_id"])
    op.create_table(
        "journal_seal",
        sa.Column("batch_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("first_id", sa.BigInteger, nullable=False),
        sa.Column("last_id", sa.BigInteger, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("id_ranges", sa.Text, nullable=False),
        sa.Column("leaves", sa.LargeBinary, nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("prev_root", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.Column("signer_fingerprint", sa.String(64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "participant",
        sa.Column("code", sa.String(9), primary_key=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_reason", sa.Text),
        sa.Column("status_changed_by", sa.String(100)),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "participant_certificate",
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("participant_code", sa.String(9), sa.ForeignKey("participant.code"),
                  nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("der", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_participant_certificate_participant_code", "participant_certificate",
                    ["participant_code"])
    op.create_table(
        "kind_of_information",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("namespace", sa.String(500), nullable=False),
        sa.Column("root_element", sa.String(200), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("xsd", sa.Text, nullable=False),
        sa.Column("xsd_sha256", sa.String(64), nullable=False),
        sa.Column("service_mnemonic", sa.String(100), unique=True),
        sa.Column("strict_attachments", sa.Boolean, nullable=False),
        sa.Column("multi_root", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("namespace", "root_element"),
    )
    op.create_table(
        "kind_provider",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind_id", sa.Integer, sa.ForeignKey("kind_of_information.id"), nullable=False),
        sa.Column("participant_code", sa.String(9), sa.ForeignKey("participant.code"),
                  nullable=False),
        sa.Column("oktmo_prefix", sa.String(11)),
        sa.UniqueConstraint("kind_id", "participant_code", "oktmo_prefix"),
    )
    op.create_index("ix_kind_provider_kind_id", "kind_provider", ["kind_id"])
    op.create_table(
        "classified_entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("namespace", sa.String(500), nullable=False),
        sa.Column("root_element", sa.String(200)),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_classified_entry_namespace", "classified_entry", ["namespace"])
    op.create_table(
        "access_grant",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("participant_code", sa.String(9), sa.ForeignKey("participant.code"),
                  nullable=False),
        sa.Column("kind_id", sa.Integer, sa.ForeignKey("kind_of_information.id"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("allow_test", sa.Boolean, nullable=False),
        sa.Column("granted_by", sa.String(100), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("participant_code", "kind_id", "role"),
    )
    op.create_table(
        "message",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind_id", sa.Integer, sa.ForeignKey("kind_of_information.id")),
        sa.Column("sender_code", sa.String(9), nullable=False),
        sa.Column("recipient_code", sa.String(9), nullable=False),
        sa.Column("message_class", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("chain_id", sa.String(100), nullable=False),
        sa.Column("request_id_ref", sa.String(100)),
        sa.Column("case_number", sa.String(100)),
        sa.Column("test", sa.Boolean, nullable=False),
        sa.Column("body_digest", sa.String(128)),
        sa.Column("envelope", sa.LargeBinary, nullable=False),
        sa.Column("delivery_envelope", sa.LargeBinary),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_message_idempotency", "message",
                    ["sender_code", "body_digest", "created_at"])
    op.create_index("ix_message_chain_id", "message", ["chain_id"])
    op.create_table(
        "queue_item",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(36), sa.ForeignKey("message.id"), nullable=False),
        sa.Column("owner_code", sa.String(9), nullable=False),
        sa.Column("queue_name", sa.String(16), nullable=False),
        sa.Column("kind_id", sa.Integer),
        sa.Column("chain_id", sa.String(100), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("delivery_count", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True)),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_queue_item_open", "queue_item", ["owner_code", "queue_name", "id"],
                    **_partial(OPEN))
    op.create_index("ix_queue_item_chain", "queue_item", ["chain_id"], **_partial(OPEN))
    op.create_index("ix_queue_item_expiry", "queue_item", ["lease_until"],
                    **_partial("state = 'leased'"))
    op.create_index("ix_queue_item_dead", "queue_item", ["owner_code"],
                    **_partial("state = 'dead'"))
    op.create_index("ix_queue_item_message_id", "queue_item", ["message_id"])


def downgrade() -> None:
    for table in ("queue_item", "message", "access_grant", "classified_entry", "kind_provider",
                  "kind_of_information", "participant_certificate", "participant",
                  "journal_seal", "journal_event"):
        op.drop_table(table)
