"""A consumer whose database connection drops mid-batch: the batch goes back to the queue, the consumer lives on."""
from __future__ import annotations

import json
import threading
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dealer_testing import wait_for
from shared.consumer import EventConsumer
from shared.db import get_engine
from shared.envelope import make_event
from shared.publisher import ConfirmingPublisher, Outgoing

metadata = MetaData()
applied = Table("applied_once", metadata, Column("subject", String(60), primary_key=True), Column("n", Integer))
DROPS = [0]  # how many more times the "database" drops the connection


def apply_unless_dropped(session: Session, event: dict[str, Any]) -> None:
    """Count the event, unless the connection is (pretend) terminated under it, as a database restart does."""
    if DROPS[0] > 0:
        DROPS[0] -= 1
        raise OperationalError("UPDATE orders ...", {}, Exception("terminating connection due to administrator "
                                                                  "command"), connection_invalidated=True)
    n = session.execute(select(applied.c.n).where(applied.c.subject == event["subject"])).scalar()
    if n is None:
        session.execute(applied.insert().values(subject=event["subject"], n=1))
    else:
        session.execute(applied.update().where(applied.c.subject == event["subject"]).values(n=n + 1))


def test_a_batch_whose_database_connection_dropped_goes_back_to_the_queue_and_the_consumer_lives_on(
        settings, sessions) -> None:
    metadata.create_all(get_engine(settings.database_url))
    DROPS[0] = 2
    worker = EventConsumer(settings, sessions, {"orders.order.placed": apply_unless_dropped})
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        wait_for(worker.consuming.is_set, timeout=10, message="the consumer to subscribe")
        event = make_event("orders", "orders.order.placed", "o-1", {"order_id": "o-1"})
        publisher = ConfirmingPublisher(settings.amqp_url)
        try:
            assert publisher.publish([Outgoing(settings.exchange, "orders.order.placed", json.dumps(event).encode(),
                                               {"delivery_mode": 2, "content_type": "application/json"})]) == [True]
        finally:
            publisher.close()
        wait_for(lambda: worker.applied >= 1, timeout=30, message="the event applied once the database is back")
        with sessions() as session:
            assert dict(session.execute(select(applied.c.subject, applied.c.n)).all()) == {"o-1": 1}
        assert DROPS[0] == 0 and thread.is_alive()
    finally:
        stop.set()
        thread.join(timeout=15)
        worker.publisher.close()
