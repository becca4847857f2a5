-- Frequency caps (herald.token.frequency-caps): one row per user, cap, window and notification, numbered by seq in the
-- order first routed; a notification's rank in its window decides whether it is delivered. An event routed again
-- finds its rows (on conflict do nothing), so it keeps its rank. Only events of a capped type write here. bucket is
-- the window's start in milliseconds since the epoch (UTC): token-service deletes rows of windows older than twice
-- the longest cap's window, through the index on it.
create table token.capped_notifications (
    user_id text not null,
    cap text not null,
    bucket bigint not null,
    notification_id uuid not null,
    seq bigint generated always as identity,
    primary key (user_id, cap, bucket, notification_id)
);

create index capped_notifications_by_bucket on token.capped_notifications (bucket);
