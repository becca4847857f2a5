-- One row per push delivery id: what became of it. A delivery already accepted by its provider is not sent
-- again when Kafka redelivers the record (after a rebalance or a restart).
create table dispatch.deliveries (
    delivery_id uuid primary key,
    event_id uuid not null,
    user_id text not null,
    provider text not null,
    outcome text not null,
    provider_message_id text,
    reason text,
    attempts int not null default 1,
    updated_at timestamptz not null
);
