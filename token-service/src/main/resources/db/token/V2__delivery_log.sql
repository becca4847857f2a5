-- The delivery log: what became of each event, per recipient, channel and delivery (a device for push,
-- the notification for in-app). Written by routing (planned, skipped) and from herald.delivery-status.v1.
create table token.delivery_log (
    event_id uuid not null,
    user_id text not null,
    channel text not null,
    delivery_key text not null,
    provider text,
    outcome text not null,
    reason text,
    updated_at timestamptz not null,
    primary key (event_id, user_id, channel, delivery_key)
);
