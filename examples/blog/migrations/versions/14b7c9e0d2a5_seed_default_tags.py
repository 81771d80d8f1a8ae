"""seed default tags

Data migration: every installation starts with the same small set of tags.

Revision ID: 14b7c9e0d2a5
Revises: e96f12b4a8c3
Create Date: 2024-04-02 16:58:13.502661

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "14b7c9e0d2a5"
down_revision: Union[str, None] = "e96f12b4a8c3"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# A lightweight table definition, decoupled from blog.models on purpose:
# the models will keep evolving, this migration must not.
tags = sa.table(
    "tags",
    sa.column("name", sa.String(50)),
    sa.column("description", sa.Text()),
)

DEFAULT_TAGS = [
    {"name": "announcements", "description": "News about the blog itself"},
    {"name": "python", "description": "Posts about Python"},
    {"name": "postgresql", "description": "Posts about PostgreSQL"},
    {"name": "tutorials", "description": "Step-by-step guides"},
]


def upgrade() -> None:
    op.bulk_insert(tags, DEFAULT_TAGS)


def downgrade() -> None:
    op.execute(
        tags.delete().where(tags.c.name.in_([t["name"] for t in DEFAULT_TAGS]))
    )
