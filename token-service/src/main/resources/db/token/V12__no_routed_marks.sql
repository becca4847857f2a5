-- Routing keeps no mark of the events it routed (issue #26): downstream ids are derived from the app, the event id,
-- the user and the device, so an event routed again produces the same ids, which dispatch-service and the inbox
-- already take once. The marks table goes.
drop table if exists token.routed_events;

-- The history is now read newest first by the time routing sent a notification (merged with the inbox's rows by the
-- time they were stored), then by notification id: the cursor's order. It holds only recipients without an inbox
-- item, so it stays small; the index of the order it was read in before goes.
create index notification_history_by_user_sent on token.notification_history (user_id, source, sent_at, notification_id);
drop index if exists token.notification_history_by_user;
