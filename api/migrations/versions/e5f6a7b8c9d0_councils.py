"""several councils in one deployment: the council of each conversation, request, alert, piece of
feedback, member of staff, worker and young person, and "You said, we did" per council

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-11-30 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from api.config import get_settings

revision: str = "e5f6a7b8c9d0"
down_revision: str | None = "d4e5f6a7b8c9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every row already stored belongs to the council the deployment served until now.
_OWNED = ("conversation", "supportrequest", "safeguardingalert", "feedback", "worker", "youngperson")


def _council() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "council",
        sqlmodel.sql.sqltypes.AutoString(length=64),
        nullable=False,
        server_default=get_settings().council,
    )


def upgrade() -> None:
    for table in _OWNED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(_council())
            batch.create_index(f"ix_{table}_council", ["council"])
    # A member of staff belongs to one council; none (NULL) is a deployment-wide account.
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("council", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.execute(sa.text("UPDATE staff SET council = :c").bindparams(c=get_settings().council))
    _you_said_we_did(("council", "theme"), copy=f"'{get_settings().council}', theme")


def _you_said_we_did(key: tuple[str, ...], copy: str) -> None:
    """The table again with another primary key (one way for SQLite and PostgreSQL), rows copied."""
    columns = [
        sa.Column("theme", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("you_said", sa.Text(), nullable=False),
        sa.Column("we_did", sa.Text(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    ]
    if "council" in key:
        columns.insert(0, sa.Column("council", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False))
    op.create_table("yousaidwedid_new", *columns, sa.PrimaryKeyConstraint(*key))
    names = ", ".join(c.name for c in columns)
    rest = "you_said, we_did, updated_by, updated_at FROM yousaidwedid"
    if "council" not in key:
        rest += f" WHERE council = '{get_settings().council}'"
    op.execute(f"INSERT INTO yousaidwedid_new ({names}) SELECT {copy}, {rest}")
    op.drop_table("yousaidwedid")
    op.rename_table("yousaidwedid_new", "yousaidwedid")


def downgrade() -> None:
    # Back to one council: the default council's entries are kept.
    _you_said_we_did(("theme",), copy="theme")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("council")
    for table in _OWNED:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_council")
            batch.drop_column("council")
