"""reporting: the rates as the store counts them (建卡率, 30天转化率; DOMAIN.md "How the store counts")

The filing rate counts new-customer contacts only: an inquiry remembers whether its phone was on file
when it was logged (``on_file``: on neither side) and the day the lead listing it was filed
(``filed_day``: filed in time by the end of the next local day); a lead remembers who filed it and
whether it was itself a walk-in or call filed with no inquiry logged (``direct_contact``). The 30-day
conversion counts an order for the lead whose phone it carries and not once it is cancelled: an order
remembers its time, phone, phone key and cancellation and, naming no lead, the lead it counts for
(``counted_for``), a lead the orders counting for it (``order_entries``), and ``phone_facts`` the lead
filed under each phone key (exact) and each masked phone (shared by many numbers; events stored before
the key was added carry only that) with the orders naming no lead.

None of this can be read from the rows already there: it is all in the event store. When the store
holds events, a rebuild is queued for the worker here (as 0005 does), which fills every new column and
table and recounts the rates; until it has run, the figures are those counted the old way.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from reporting.rebuild.from_migration import queue_rebuild

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None



def upgrade() -> None:
    with op.batch_alter_table('inquiry_facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_file', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('filed_day', sa.Date(), nullable=True))
    with op.batch_alter_table('lead_facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('filed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('direct_contact', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('order_entries', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('order_facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('placed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('cancelled', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('phone_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('counted_for', sa.String(length=36), nullable=True))
    op.create_table('phone_facts',
                    sa.Column('phone', sa.String(length=64), nullable=False),
                    sa.Column('lead_id', sa.String(length=36), nullable=True),
                    sa.Column('ambiguous', sa.Boolean(), nullable=False),
                    sa.Column('order_entries', sa.Text(), nullable=False),
                    sa.Column('unkeyed_lead_id', sa.String(length=36), nullable=True),
                    sa.Column('unkeyed_ambiguous', sa.Boolean(), nullable=False),
                    sa.PrimaryKeyConstraint('phone'))
    queue_rebuild('migration 0007')


def downgrade() -> None:
    op.drop_table('phone_facts')
    with op.batch_alter_table('order_facts', schema=None) as batch_op:
        batch_op.drop_column('counted_for')
        batch_op.drop_column('phone_key')
        batch_op.drop_column('cancelled')
        batch_op.drop_column('phone')
        batch_op.drop_column('placed_at')
    with op.batch_alter_table('lead_facts', schema=None) as batch_op:
        batch_op.drop_column('order_entries')
        batch_op.drop_column('direct_contact')
        batch_op.drop_column('filed_by')
        batch_op.drop_column('phone')
    with op.batch_alter_table('inquiry_facts', schema=None) as batch_op:
        batch_op.drop_column('filed_day')
        batch_op.drop_column('on_file')
