"""Reference data: data types and attributes, classifiers, connection applications.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
LIVE = "version_removed IS NULL"
CLOSED = "version_removed IS NOT NULL"


def upgrade() -> None:
    _create_data_types()
    _create_classifiers()
    _create_applications()


def downgrade() -> None:
    for table in ("application_kind", "connection_application", "classifier_staging",
                  "classifier_item", "classifier_version", "classifier", "kind_attribute",
                  "data_type"):
        op.drop_table(table)


def _create_data_types() -> None:
    op.create_table(
        "data_type",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False, unique=True),
        sa.Column("base_type", sa.String(300), nullable=False),
        sa.Column("pattern", sa.Text),
        sa.Column("min_length", sa.Integer),
        sa.Column("max_length", sa.Integer),
        sa.Column("description", sa.Text),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "kind_attribute",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind_id", sa.Integer, sa.ForeignKey("kind_of_information.id"),
                  nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("type_name", sa.String(300)),
        sa.Column("required", sa.Boolean, nullable=False),
        sa.Column("multiple", sa.Boolean, nullable=False),
        sa.Column("description", sa.Text),
        sa.UniqueConstraint("kind_id", "path"),
    )
    op.create_index("ix_kind_attribute_kind_id", "kind_attribute", ["kind_id"])


def _create_classifiers() -> None:
    op.create_table(
        "classifier",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("title", sa.String(500)),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "classifier_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("classifier_id", sa.Integer, sa.ForeignKey("classifier.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("changed", sa.Integer, nullable=False),
        sa.Column("removed", sa.Integer, nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("classifier_id", "version"),
    )
    op.create_table(
        "classifier_item",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("classifier_id", sa.Integer, sa.ForeignKey("classifier.id"), nullable=False),
        *_item_columns(),
        sa.Column("version_added", sa.Integer, nullable=False),
        sa.Column("version_removed", sa.Integer),
    )
    op.create_index("ix_classifier_item_live", "classifier_item", ["classifier_id", "code"],
                    unique=True, postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE))
    op.create_index("ix_classifier_item_code", "classifier_item", ["classifier_id", "code"],
                    postgresql_where=sa.text(CLOSED), sqlite_where=sa.text(CLOSED))
    op.create_index("ix_classifier_item_added", "classifier_item",
                    ["classifier_id", "version_added"])
    op.create_index("ix_classifier_item_removed", "classifier_item",
                    ["classifier_id", "version_removed"],
                    postgresql_where=sa.text(CLOSED), sqlite_where=sa.text(CLOSED))
    op.create_table(
        "classifier_staging",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("row_number", sa.Integer, nullable=False),
        *_item_columns(),
    )
    op.create_index("ix_classifier_staging_code", "classifier_staging", ["code"])


def _item_columns() -> list[sa.Column]:
    return [
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("parent_code", sa.String(100)),
        sa.Column("attributes", sa.Text),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_to", sa.Date),
    ]


def _create_applications() -> None:
    op.create_table(
        "connection_application",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("participant_code", sa.String(9), nullable=False),
        sa.Column("organisation", sa.String(500), nullable=False),
        sa.Column("system_name", sa.String(500), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("contacts", sa.Text, nullable=False),
        sa.Column("certificate_der", sa.LargeBinary, nullable=False),
        sa.Column("certificate_fingerprint", sa.String(64), nullable=False),
        sa.Column("certificate_subject", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("submitted_by", sa.String(100), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_connection_application_participant_code", "connection_application",
                    ["participant_code"])
    op.create_table(
        "application_kind",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("application_id", sa.Integer, sa.ForeignKey("connection_application.id"),
                  nullable=False),
        sa.Column("namespace", sa.String(500), nullable=False),
        sa.Column("root_element", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.UniqueConstraint("application_id", "namespace", "root_element", "role"),
    )
