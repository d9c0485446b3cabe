"""Registries: participants in full, electronic services, kind versions, agreements.

The minimal access grants become agreements (D17): one agreement per participant holding its
grants; the downgrade turns agreement entries back into grants.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import re
from datetime import UTC, datetime
from itertools import groupby

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MIGRATED_BY = "migration 0003"
VERSION_IN_NAMESPACE = re.compile(r"[/:](\d+(?:\.\d+){1,2})/?$")

grants = sa.table(
    "access_grant",
    sa.column("id", sa.Integer), sa.column("participant_code", sa.String),
    sa.column("kind_id", sa.Integer), sa.column("role", sa.String),
    sa.column("allow_test", sa.Boolean), sa.column("granted_by", sa.String),
    sa.column("granted_at", sa.DateTime(timezone=True)),
)
agreements = sa.table(
    "agreement",
    sa.column("id", sa.Integer), sa.column("number", sa.String),
    sa.column("participant_code", sa.String), sa.column("signed_on", sa.Date),
    sa.column("valid_from", sa.Date), sa.column("valid_to", sa.Date),
    sa.column("allow_test", sa.Boolean), sa.column("created_by", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
agreement_kinds = sa.table(
    "agreement_kind",
    sa.column("agreement_id", sa.Integer), sa.column("kind_id", sa.Integer),
    sa.column("role", sa.String), sa.column("allow_test", sa.Boolean),
)
kinds = sa.table("kind_of_information", sa.column("id", sa.Integer),
                 sa.column("namespace", sa.String), sa.column("version", sa.String))


def upgrade() -> None:
    _extend_participants()
    _extend_kinds()
    _create_services()
    _create_agreements()
    _grants_to_agreements()
    op.drop_table("access_grant")


def downgrade() -> None:
    _create_access_grant()
    _agreements_to_grants()
    for table in ("agreement_service", "agreement_kind", "agreement", "service_kind",
                  "electronic_service"):
        op.drop_table(table)
    for column in ("status", "scope", "classification", "version"):
        op.drop_column("kind_of_information", column)
    with op.batch_alter_table("participant_certificate") as batch:
        batch.drop_column("valid_to")
        batch.drop_column("valid_from")
    for column in ("contacts", "category", "system_name"):
        op.drop_column("participant", column)


def _extend_participants() -> None:
    op.add_column("participant", sa.Column("system_name", sa.String(500)))
    op.add_column("participant", sa.Column("category", sa.String(16), nullable=False,
                                           server_default="regional"))
    op.add_column("participant", sa.Column("contacts", sa.Text))
    with op.batch_alter_table("participant_certificate") as batch:
        batch.add_column(sa.Column("valid_from", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("valid_to", sa.DateTime(timezone=True)))
    op.execute("UPDATE participant_certificate SET valid_from = not_before, valid_to = not_after")
    with op.batch_alter_table("participant_certificate") as batch:
        batch.alter_column("valid_from", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.alter_column("valid_to", existing_type=sa.DateTime(timezone=True), nullable=False)


def _extend_kinds() -> None:
    for column, default in (("version", "1.0"), ("classification", "public"),
                            ("scope", "regional"), ("status", "active")):
        op.add_column("kind_of_information", sa.Column(
            column, sa.String(20 if column == "version" else 16), nullable=False,
            server_default=default))
    connection = op.get_bind()
    for kind_id, namespace in connection.execute(sa.select(kinds.c.id, kinds.c.namespace)):
        found = VERSION_IN_NAMESPACE.search(namespace)
        if found:
            connection.execute(kinds.update().where(kinds.c.id == kind_id)
                               .values(version=found.group(1)))


def _create_services() -> None:
    op.create_table(
        "electronic_service",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sid", sa.String(10), nullable=False, unique=True),
        sa.Column("mnemonic", sa.String(100), nullable=False),
        sa.Column("version", sa.String(20), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("provider_code", sa.String(9), sa.ForeignKey("participant.code"),
                  nullable=False),
        sa.Column("delivery", sa.String(16), nullable=False),
        sa.Column("endpoint_url", sa.String(1000)),
        sa.Column("wsdl", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_reason", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_probe_at", sa.DateTime(timezone=True)),
        sa.Column("last_probe_ok", sa.Boolean),
        sa.Column("last_probe_detail", sa.Text),
        sa.Column("last_latency_ms", sa.Integer),
        sa.UniqueConstraint("mnemonic", "version"),
    )
    op.create_index("ix_electronic_service_mnemonic", "electronic_service", ["mnemonic"])
    op.create_index("ix_electronic_service_provider_code", "electronic_service",
                    ["provider_code"])
    op.create_table(
        "service_kind",
        sa.Column("service_id", sa.Integer, sa.ForeignKey("electronic_service.id"),
                  primary_key=True),
        sa.Column("kind_id", sa.Integer, sa.ForeignKey("kind_of_information.id"),
                  primary_key=True),
    )
    op.create_index("ix_service_kind_kind_id", "service_kind", ["kind_id"])


def _create_agreements() -> None:
    op.create_table(
        "agreement",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(100), nullable=False, unique=True),
        sa.Column("participant_code", sa.String(9), sa.ForeignKey("participant.code"),
                  nullable=False),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date),
        sa.Column("connection_address", sa.Text),
        sa.Column("officials", sa.Text),
        sa.Column("message_structures", sa.Text),
        sa.Column("restricted_handling", sa.Text),
        sa.Column("allow_test", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_agreement_participant_code", "agreement", ["participant_code"])
    op.create_table(
        "agreement_kind",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agreement_id", sa.Integer, sa.ForeignKey("agreement.id"), nullable=False),
        sa.Column("kind_id", sa.Integer, sa.ForeignKey("kind_of_information.id"),
                  nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("allow_test", sa.Boolean, nullable=False),
        sa.UniqueConstraint("agreement_id", "kind_id", "role"),
    )
    op.create_index("ix_agreement_kind_kind_id", "agreement_kind", ["kind_id"])
    op.create_table(
        "agreement_service",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agreement_id", sa.Integer, sa.ForeignKey("agreement.id"), nullable=False),
        sa.Column("service_id", sa.Integer, sa.ForeignKey("electronic_service.id"),
                  nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.UniqueConstraint("agreement_id", "service_id", "role"),
    )
    op.create_index("ix_agreement_service_service_id", "agreement_service", ["service_id"])


def _grants_to_agreements() -> None:
    """One open-ended agreement per participant, from its first grant, holding its grants."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(grants).order_by(grants.c.participant_code, grants.c.id)).all()
    now = datetime.now(UTC)
    for code, held in groupby(rows, key=lambda row: row.participant_code):
        held = list(held)
        since = min(row.granted_at for row in held).date()
        agreement_id = connection.execute(agreements.insert().values(
            number=f"{code}/1", participant_code=code, signed_on=since, valid_from=since,
            valid_to=None, allow_test=False, created_by=MIGRATED_BY, created_at=now,
        ).returning(agreements.c.id)).scalar_one()
        connection.execute(agreement_kinds.insert(), [
            {"agreement_id": agreement_id, "kind_id": row.kind_id, "role": row.role,
             "allow_test": row.allow_test} for row in held
        ])


def _create_access_grant() -> None:
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


def _agreements_to_grants() -> None:
    """Every kind entry of any agreement becomes a grant (test traffic if any entry allowed it)."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(agreements.c.participant_code, agreement_kinds.c.kind_id,
                  agreement_kinds.c.role,
                  (agreement_kinds.c.allow_test | agreements.c.allow_test).label("allow_test"))
        .join(agreements, agreements.c.id == agreement_kinds.c.agreement_id)
    ).all()
    now = datetime.now(UTC)
    merged: dict[tuple[str, int, str], bool] = {}
    for row in rows:
        key = (row.participant_code, row.kind_id, row.role)
        merged[key] = merged.get(key, False) or bool(row.allow_test)
    if merged:
        connection.execute(grants.insert(), [
            {"participant_code": code, "kind_id": kind_id, "role": role, "allow_test": test,
             "granted_by": MIGRATED_BY, "granted_at": now}
            for (code, kind_id, role), test in merged.items()
        ])
