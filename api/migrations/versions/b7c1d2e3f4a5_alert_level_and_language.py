"""safeguarding alerts: a level (crisis or concern), the message's language, and the new kinds

Revision ID: b7c1d2e3f4a5
Revises: a2b624e171a2
Create Date: 2026-11-30 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "b7c1d2e3f4a5"
down_revision: str | None = "a2b624e171a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The kinds before the risk model by kind (2026-11-30), and what each became.
OLD_TO_NEW = {
    "suicide": "suicide_self_harm",
    "self_harm": "suicide_self_harm",
    "violence": "danger_now",
    "danger": "danger_now",
}


def upgrade() -> None:
    with op.batch_alter_table("safeguardingalert", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="crisis")
        )
        batch_op.add_column(sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    alerts = sa.table("safeguardingalert", sa.column("kind", sa.String), sa.column("text", sa.Text))
    for old, new in OLD_TO_NEW.items():
        op.execute(alerts.update().where(alerts.c.kind == old).values(kind=new))
    drugs = sa.or_(alerts.c.text.ilike("%drug%"), alerts.c.text.ilike("%county line%"))
    op.execute(alerts.update().where(alerts.c.kind == "exploitation", drugs).values(kind="criminal_exploitation"))
    op.execute(alerts.update().where(alerts.c.kind == "exploitation").values(kind="sexual_exploitation"))


def downgrade() -> None:
    with op.batch_alter_table("safeguardingalert", schema=None) as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("level")
