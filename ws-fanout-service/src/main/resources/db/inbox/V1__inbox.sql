-- The in-app inbox: one row per notification per user, written only by ws-fanout-service.
create table inbox.notifications (
    notification_id uuid primary key,
    event_id uuid not null,
    user_id text not null,
    type text not null,
    title text not null,
    body text not null,
    data jsonb not null default '{}'::jsonb,
    actor_id text,
    actor_display_name text,
    object_id text,
    object_kind text,
    object_title text,
    occurred_at timestamptz not null,
    created_at timestamptz not null,
    read_at timestamptz
);

-- Newest first per user, with the notification id as the tie-breaker for cursor paging.
create index notifications_user_newest on inbox.notifications (user_id, created_at desc, notification_id desc);
create index notifications_user_unread on inbox.notifications (user_id) where read_at is null;
