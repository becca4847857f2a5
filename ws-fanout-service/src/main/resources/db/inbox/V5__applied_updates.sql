-- The event ids of the updates applied to a row, the newest 32: token-service no longer remembers the events it
-- routed, so an update it routes again (a redelivery, an app publishing it again) comes at a new offset, after
-- newer updates perhaps; one already applied never applies again (it would bring back older words).
alter table inbox.notifications add column applied_updates uuid[];
