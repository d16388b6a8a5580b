"""the language of each message, conversation, request and piece of feedback

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-11-30 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "d4e5f6a7b8c9"
down_revision: str | None = "c3d4e5f6a7b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LANGUAGE = {"conversation": False, "turn": False, "supportrequest": True, "feedback": True}


def upgrade() -> None:
    for table, indexed in _LANGUAGE.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
            if indexed:
                batch.create_index(f"ix_{table}_language", ["language"])
    with op.batch_alter_table("turn") as batch:
        batch.add_column(sa.Column("script", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("turn") as batch:
        batch.drop_column("script")
    for table, indexed in _LANGUAGE.items():
        with op.batch_alter_table(table) as batch:
            if indexed:
                batch.drop_index(f"ix_{table}_language")
            batch.drop_column("language")
