-- The inbox rows of an event, for token-service's delivery log (GET /internal/v1/inbox/by-event). Not built
-- concurrently: Flyway holds a transaction of its own open while it migrates, which CREATE INDEX CONCURRENTLY
-- would wait for forever; the inbox writers wait for the build instead (seconds per million rows).
create index notifications_event on inbox.notifications (event_id);
