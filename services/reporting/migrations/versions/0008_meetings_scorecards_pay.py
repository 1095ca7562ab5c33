"""reporting: meetings, the month's scorecard template and the supervisors' weekly plans

The groups' meetings (晨会/夕会/周会, ``meetings``) as supervisors record them, a month's scorecard
sheet with its working days and per-class commission deductions (绩效考核表, 扣发,
``scorecard_templates``) and each group's plan for the next week (周销售进度, ``weekly_plans``). They
are people's inputs, not projections of events: a rebuild never touches them, and a lost database
gets them back from its backup (README, "Recovery"). A month with no template row uses the store's
default sheet, so nothing is filled in here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meetings',
    sa.Column('meeting_id', sa.String(length=36), nullable=False),
    sa.Column('group_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('held_day', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('attendees', sa.JSON(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('meeting_id')
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index('ix_meetings_group_day', ['group_id', 'held_day'], unique=False)
    op.create_table('scorecard_templates',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('working_days', sa.JSON(), nullable=False),
    sa.Column('class_deductions', sa.JSON(), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('month')
    )
    op.create_table('weekly_plans',
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('group_id', sa.String(length=64), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('written_by', sa.String(length=64), nullable=False),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('week', 'group_id')
    )


def downgrade() -> None:
    op.drop_table('weekly_plans')
    op.drop_table('scorecard_templates')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_meetings_group_day')
    op.drop_table('meetings')
