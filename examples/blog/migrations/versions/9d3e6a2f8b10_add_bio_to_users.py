"""add bio to users

Revision ID: 9d3e6a2f8b10
Revises: 14b7c9e0d2a5
Create Date: 2024-05-13 08:44:26.037519

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d3e6a2f8b10'
down_revision = '14b7c9e0d2a5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('bio', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('users', 'bio')
