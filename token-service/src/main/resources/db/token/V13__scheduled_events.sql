-- Events that carry a deliverAt later than routing's clock (issue #25): held here, the event as JSON, until due, then
-- routed by ScheduledEvents' poller, which claims due rows with FOR UPDATE SKIP LOCKED (several instances share the
-- work) and deletes them in the transaction that routed them. One row per app and event id, like the events routing
-- scopes by app: the first event under an id that is scheduled is the one held. traceparent: the trace the event
-- came with, carried on with its notifications when it is routed.
create table token.scheduled_events (
    source text not null,
    event_id uuid not null,
    due_at timestamptz not null,
    event jsonb not null,
    traceparent text,
    primary key (source, event_id)
);

-- The poller's order: the earliest due first.
create index scheduled_events_due on token.scheduled_events (due_at);
