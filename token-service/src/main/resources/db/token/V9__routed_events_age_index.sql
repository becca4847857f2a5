-- Routed marks are deleted oldest first, in small batches, once past herald.token.routed-events.retention. An index
-- on one timestamp, appended at its end: it costs the marks' writes little, and the lookup by id stays one probe.
-- Built concurrently (Flyway runs this script outside a transaction): routing goes on writing marks meanwhile.
create index concurrently if not exists routed_events_by_age on token.routed_events (routed_at);
