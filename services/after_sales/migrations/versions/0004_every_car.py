"""after_sales: after-sales for every car (issue 17)

Walk-in owners (cars bought elsewhere) get files: a car's order, price, seller and delivery time become
optional and the file keeps its address and where it came from. Each car may carry its own maintenance plan
(months and km); each due service is a reminder row the desk calls on, a booked call a service appointment
(预约). Return visits keep their questionnaire and CSI; complaints may come from prospects (a phone, no file);
customers keep their marketing consent with its history (PIPL), the notices sent, their 12-month spend and the
day they were graded. A plate registered before the delivery waits in plates_awaiting. Existing cars get one
open reminder at their current due date, so the reminder desk lists them as before.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 09:00:00.000000
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _customers_vehicles_visits_complaints() -> None:
    with op.batch_alter_table('customers') as batch:
        batch.add_column(sa.Column('address', sa.String(200), nullable=True))
        batch.add_column(sa.Column('source', sa.String(10), nullable=False, server_default='sale'))
        batch.add_column(sa.Column('spend_12m', sa.Numeric(12, 2), nullable=False, server_default='0'))
        batch.add_column(sa.Column('graded_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('marketing_consent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('consent_at', TZ, nullable=True))
    with op.batch_alter_table('vehicles') as batch:
        batch.alter_column('order_id', existing_type=sa.String(64), nullable=True)
        batch.alter_column('price', existing_type=sa.Numeric(12, 2), nullable=True)
        batch.alter_column('consultant_id', existing_type=sa.String(64), nullable=True)
        batch.alter_column('delivered_at', existing_type=TZ, nullable=True)
        batch.add_column(sa.Column('source', sa.String(10), nullable=False, server_default='sale'))
        batch.add_column(sa.Column('first_reading_km', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('plan_months', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('plan_km', sa.Integer(), nullable=True))
    with op.batch_alter_table('return_visits') as batch:
        batch.add_column(sa.Column('answers', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('csi', sa.Numeric(4, 2), nullable=True))
    with op.batch_alter_table('complaints') as batch:
        batch.alter_column('customer_id', existing_type=sa.String(36), nullable=True)
        batch.add_column(sa.Column('phone', sa.String(11), nullable=True))
        batch.add_column(sa.Column('contact_name', sa.String(100), nullable=True))
        batch.add_column(sa.Column('prospect', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE vehicles SET first_reading_km = 0")  # every car on file so far was sold new here
    op.execute("UPDATE customers SET spend_12m = total_spent")  # the daily grading recomputes it


def _reminder_desk() -> None:
    op.create_table(
        'reminders',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('vin', sa.String(17), sa.ForeignKey('vehicles.vin'), nullable=False, index=True),
        sa.Column('customer_id', sa.String(36), sa.ForeignKey('customers.id'), nullable=False, index=True),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('due_km', sa.Integer(), nullable=False),
        sa.Column('remind_on', sa.Date(), nullable=False, index=True),
        sa.Column('status', sa.String(15), nullable=False, index=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_outcome', sa.String(15), nullable=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('closed_at', TZ, nullable=True),
    )
    op.create_table(
        'reminder_calls',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('reminder_id', sa.String(36), sa.ForeignKey('reminders.id'), nullable=False, index=True),
        sa.Column('outcome', sa.String(15), nullable=False),
        sa.Column('note', sa.String(500), nullable=False),
        sa.Column('appointment_id', sa.String(36), nullable=True),
        sa.Column('called_at', TZ, nullable=False),
        sa.Column('called_by', sa.String(64), nullable=False),
    )
    op.create_table(
        'service_appointments',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('customer_id', sa.String(36), sa.ForeignKey('customers.id'), nullable=False, index=True),
        sa.Column('vin', sa.String(17), sa.ForeignKey('vehicles.vin'), nullable=False, index=True),
        sa.Column('scheduled_at', TZ, nullable=False, index=True),
        sa.Column('kind', sa.String(15), nullable=False),
        sa.Column('status', sa.String(10), nullable=False, index=True),
        sa.Column('reminder_id', sa.String(36), nullable=True),
        sa.Column('booked_by', sa.String(64), nullable=False),
        sa.Column('booked_at', TZ, nullable=False),
        sa.Column('closed_at', TZ, nullable=True),
        sa.Column('cancel_reason', sa.String(500), nullable=True),
    )
    op.create_table(
        'plates_awaiting',
        sa.Column('vin', sa.String(17), primary_key=True),
        sa.Column('plate', sa.String(10), nullable=False),
        sa.Column('order_id', sa.String(64), nullable=False),
        sa.Column('registered_on', sa.Date(), nullable=True),
    )


def _consent_and_notices() -> None:
    op.create_table(
        'consent_changes',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('customer_id', sa.String(36), sa.ForeignKey('customers.id'), nullable=False, index=True),
        sa.Column('marketing', sa.Boolean(), nullable=False),
        sa.Column('source', sa.String(20), nullable=False),
        sa.Column('recorded_by', sa.String(64), nullable=False),
        sa.Column('at', TZ, nullable=False),
    )
    op.create_table(
        'notices',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('title', sa.String(100), nullable=False),
        sa.Column('body', sa.String(2000), nullable=False),
        sa.Column('segment', sa.JSON(), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('sent_by', sa.String(64), nullable=False),
        sa.Column('sent_at', TZ, nullable=False, index=True),
    )
    op.create_table(
        'notice_recipients',
        sa.Column('notice_id', sa.String(36), sa.ForeignKey('notices.id'), primary_key=True),
        sa.Column('customer_id', sa.String(36), sa.ForeignKey('customers.id'), primary_key=True),
    )


def _open_reminder_per_car() -> None:
    """Each car on file gets one open reminder at its current due date and km."""
    conn = op.get_bind()
    cars = conn.execute(sa.text("SELECT vin, customer_id, next_due_on, next_due_km FROM vehicles")).all()
    reminders = sa.table('reminders', *(sa.column(name) for name in (
        'id', 'vin', 'customer_id', 'due_on', 'due_km', 'remind_on', 'status', 'attempts', 'created_at')))
    rows = [{"id": str(uuid.uuid4()), "vin": vin, "customer_id": customer, "due_on": due_on, "due_km": due_km,
             "remind_on": due_on, "status": "open", "attempts": 0, "created_at": sa.func.now()}
            for vin, customer, due_on, due_km in cars]
    for row in rows:
        conn.execute(reminders.insert().values(**row))


def _sqlite_foreign_keys(on: bool) -> None:
    """SQLite rebuilds a table to change a column (batch mode), and with foreign keys on, dropping the old
    ``vehicles`` fails while service records point at it. The PRAGMA only takes effect outside a transaction,
    so the one the migration runs in is committed (nothing is half-done at this point), the PRAGMA set, and a
    new one begun, which the migration's own commit closes. Before turning them back on, every reference is
    checked (``foreign_key_check``): a rebuild that broke one stops the migration."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    raw = bind.connection.driver_connection
    if on:
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"rows refer to rows that are gone: {broken[:5]}")
    raw.execute("COMMIT")
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    raw.execute("BEGIN IMMEDIATE")


def upgrade() -> None:
    _sqlite_foreign_keys(False)
    _customers_vehicles_visits_complaints()
    _sqlite_foreign_keys(True)
    _reminder_desk()
    _consent_and_notices()
    _open_reminder_per_car()


def downgrade() -> None:
    _sqlite_foreign_keys(False)
    for table in ('notice_recipients', 'notices', 'consent_changes', 'plates_awaiting', 'service_appointments',
                  'reminder_calls', 'reminders'):
        op.drop_table(table)
    with op.batch_alter_table('complaints') as batch:
        for column in ('prospect', 'contact_name', 'phone'):
            batch.drop_column(column)
    with op.batch_alter_table('return_visits') as batch:
        batch.drop_column('csi')
        batch.drop_column('answers')
    with op.batch_alter_table('vehicles') as batch:
        for column in ('plan_km', 'plan_months', 'first_reading_km', 'source'):
            batch.drop_column(column)
    with op.batch_alter_table('customers') as batch:
        for column in ('consent_at', 'marketing_consent', 'graded_on', 'spend_12m', 'source', 'address'):
            batch.drop_column(column)
    _sqlite_foreign_keys(True)
