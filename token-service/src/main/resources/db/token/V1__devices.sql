-- Devices: one row per provider token. A token belongs to one user at a time; registering it again
-- refreshes the row (or moves it to the new user) instead of duplicating it.
create table token.devices (
    device_id uuid primary key,
    user_id text not null,
    provider text not null,
    token text not null,
    platform text,
    app_id text,
    locale text,
    time_zone text,
    active boolean not null default true,
    registered_at timestamptz not null,
    last_seen_at timestamptz not null,
    unique (provider, token)
);

create index devices_active_by_user on token.devices (user_id) where active;

-- Events already routed: a redelivered event id is skipped.
create table token.routed_events (
    event_id uuid primary key,
    routed_at timestamptz not null
);
