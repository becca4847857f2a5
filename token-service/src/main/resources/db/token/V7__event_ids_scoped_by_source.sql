-- An event id names one event of one app: two apps may use the same id (by chance, or one claiming the other's)
-- and each event is routed. Marks written before V5 (no source) keep an empty one; they match no app's event.
-- The key is rebuilt: routing waits for this migration (an index build over the marks: 0.9 s a million); events
-- queue in Kafka meanwhile.
update token.routed_events set source = '' where source is null;
alter table token.routed_events alter column source set not null;
alter table token.routed_events drop constraint routed_events_pkey;
alter table token.routed_events add primary key (event_id, source);
-- A hash of the event's content: the same app's id seen again with other content is dead-lettered, not dropped.
-- Null for marks written before: they match any content.
alter table token.routed_events add column content_hash bytea;
-- The notification an entry concerns, so that an app is shown only its own event's entries when another app's
-- event was routed under the same id. Null for entries written before: a metadata-only change.
alter table token.delivery_log add column notification_id uuid;
