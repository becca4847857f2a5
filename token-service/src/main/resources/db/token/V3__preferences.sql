-- Per-user notification preferences, as one JSON document (see Preferences in the code).
create table token.preferences (
    user_id text primary key,
    document jsonb not null,
    updated_at timestamptz not null
);
