"""add published_at to posts

Revision ID: b58f0c71e3d6
Revises: 9d3e6a2f8b10
Create Date: 2024-06-03 13:09:58.771240

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "b58f0c71e3d6"
down_revision: Union[str, None] = "9d3e6a2f8b10"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column(
        "posts",
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("posts", "published_at")
