"""inventory: the model catalogue (车型目录) and each car's model class (车型大类)

Cars received before this revision have no class (NULL) until the catalogue learns their model.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('model_catalogue',
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('model_class', sa.String(length=20), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('model')
    )
    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('model_class', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.drop_column('model_class')
    op.drop_table('model_catalogue')
