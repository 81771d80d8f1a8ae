"""add indexes on posts

Slugs are used in URLs and must be unique; listing an author's posts
needs an index on author_id.

Revision ID: c27b5e9f04a1
Revises: 8e41d0c5a9b2
Create Date: 2024-03-11 09:05:51.220734

"""
# alembic-gate: ignore-file[require-concurrent-index-creation] posts holds a few thousand rows: the SHARE lock lasts milliseconds, and the revision stays in one transaction
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c27b5e9f04a1'
down_revision = '8e41d0c5a9b2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_posts_slug'), 'posts', ['slug'], unique=True)
    op.create_index(op.f('ix_posts_author_id'), 'posts', ['author_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_posts_author_id'), table_name='posts')
    op.drop_index(op.f('ix_posts_slug'), table_name='posts')
