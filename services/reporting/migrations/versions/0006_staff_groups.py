"""reporting: the staff directory, sales groups and their members over time, targets by model class

The staff directory (``staff``), the sales groups (小组, ``sales_groups``) and who was in which group
from which local day to which (``group_memberships``) are the sales managers' own inputs, like the
targets, which may now split their units by model class (车型大类, ``targets.by_model_class``). A
delivery keeps the model's class when orders sends it (``sale_facts.model_class``): events stored
before this change carry none, so no rebuild is queued (it would fill nothing).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('staff',
    sa.Column('staff_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('staff_id')
    )
    op.create_table('sales_groups',
    sa.Column('group_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('supervisor_id', sa.String(length=64), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('group_id')
    )
    op.create_table('group_memberships',
    sa.Column('id', ROW_ID, autoincrement=True, nullable=False),
    sa.Column('group_id', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.String(length=64), nullable=False),
    sa.Column('from_day', sa.Date(), nullable=False),
    sa.Column('until_day', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('group_memberships', schema=None) as batch_op:
        batch_op.create_index('ix_group_memberships_group_days', ['group_id', 'from_day'], unique=False)
        batch_op.create_index('ix_group_memberships_staff_days', ['staff_id', 'from_day'], unique=False)
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('by_model_class', sa.JSON(), nullable=True))
    with op.batch_alter_table('sale_facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('model_class', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sale_facts', schema=None) as batch_op:
        batch_op.drop_column('model_class')
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_column('by_model_class')
    with op.batch_alter_table('group_memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_group_memberships_staff_days')
        batch_op.drop_index('ix_group_memberships_group_days')
    op.drop_table('group_memberships')
    op.drop_table('sales_groups')
    op.drop_table('staff')
