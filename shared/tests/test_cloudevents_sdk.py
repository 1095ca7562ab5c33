"""Another dealer system reads our events with the official CloudEvents SDK, not with our code.

The SDK's AMQP binding decides the mode from the content type: ``application/cloudevents+json``
is structured (the body is the event), anything else binary (attributes in headers). Our
messages are structured, so they must say so; the AMQP ``type`` property carries the event type
as docs/subscribing.md promises. Feed items are structured events in the SDK's JSON format.
"""
from __future__ import annotations

import json
from typing import Any

from cloudevents.core.bindings.amqp import AMQPMessage, from_amqp
from cloudevents.core.formats.json import JSONFormat

from shared.envelope import make_event
from shared.outbox import assign_feed_positions, read_feed, record_event


def write_events(sessions: Any) -> list[dict[str, Any]]:
    events = [make_event("leads", "leads.lead.created", "lead-1", {"lead_id": "lead-1", "name": "王磊"}),
              make_event("orders", "orders.order.placed", "o-1", {"order_id": "o-1", "price": "189900.00"},
                         version=2)]
    with sessions() as session:
        for event in events:
            record_event(session, event)
        session.commit()
    return events


def test_published_events_parse_with_the_cloudevents_sdk_as_structured_events(sessions, probe_queue,
                                                                              make_relay) -> None:
    events = write_events(sessions)
    assert make_relay().publish_pending() == 2
    messages = probe_queue(expected=2)
    assert [m.properties["content_type"] for m in messages] == ["application/cloudevents+json"] * 2
    assert [m.properties["type"] for m in messages] == ["dealer.leads.lead.created.v1",
                                                        "dealer.orders.order.placed.v2"]
    for message, sent in zip(messages, events, strict=True):
        body = message.body if isinstance(message.body, bytes) else message.body.encode()
        parsed = from_amqp(AMQPMessage(properties={"content-type": message.properties["content_type"]},
                                       application_properties={}, application_data=body), JSONFormat())
        assert (parsed.get_id(), parsed.get_source(), parsed.get_type(), parsed.get_subject()) == (
            sent["id"], sent["source"], sent["type"], sent["subject"])
        assert parsed.get_data() == sent["data"]
        assert parsed.get_extension("correlationid") == sent["correlationid"]


def test_feed_items_parse_with_the_cloudevents_sdk(sessions) -> None:
    events = write_events(sessions)
    with sessions() as session:
        assign_feed_positions(session)
        items, _ = read_feed(session, 0, 10)
    parsed = [JSONFormat().read(None, json.dumps(item)) for item in items]
    assert [(e.get_id(), e.get_type()) for e in parsed] == [(e["id"], e["type"]) for e in events]
