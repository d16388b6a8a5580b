"""the learning loop: questions the bot could not answer, training examples proposed and reviewed,
ratings of answers ("did this help?"), the weekly trend email, and a conversation's last answer

Revision ID: f6a7b8c9d0e1
Revises: e5f6a7b8c9d0
Create Date: 2026-11-30 17:41:35
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "f6a7b8c9d0e1"
down_revision: str | None = "e5f6a7b8c9d0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("helped", sa.Boolean(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("council", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_answer"), ["answer"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_council"), ["council"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_created_at"), ["created_at"], unique=False)

    op.create_table(
        "trainingexample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("council", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("proposed_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("proposed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reviewed_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trainingexample", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trainingexample_council"), ["council"], unique=False)
        batch_op.create_index(batch_op.f("ix_trainingexample_status"), ["status"], unique=False)

    op.create_table(
        "trendemail",
        sa.Column("council", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("week", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("council", "week"),
    )
    op.create_table(
        "unanswered",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("intent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("council", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("answered_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("unanswered", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unanswered_answered_by"), ["answered_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_unanswered_council"), ["council"], unique=False)
        batch_op.create_index(batch_op.f("ix_unanswered_created_at"), ["created_at"], unique=False)

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_answer", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("last_answer")

    with op.batch_alter_table("unanswered", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unanswered_created_at"))
        batch_op.drop_index(batch_op.f("ix_unanswered_council"))
        batch_op.drop_index(batch_op.f("ix_unanswered_answered_by"))

    op.drop_table("unanswered")
    op.drop_table("trendemail")
    with op.batch_alter_table("trainingexample", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trainingexample_status"))
        batch_op.drop_index(batch_op.f("ix_trainingexample_council"))

    op.drop_table("trainingexample")
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_created_at"))
        batch_op.drop_index(batch_op.f("ix_rating_council"))
        batch_op.drop_index(batch_op.f("ix_rating_answer"))

    op.drop_table("rating")
