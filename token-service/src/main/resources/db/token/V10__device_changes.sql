-- Every change to a user's devices (registered, refreshed, moved — both users —, deleted, deactivated, pruned,
-- retired by the cap), written in the transaction that makes it, so that every token-service instance drops that
-- user's cached device list before it routes again (DeviceCache). tx is the writing transaction's id: an instance
-- reads the changes of every transaction that had not finished when it last looked (pg_snapshot_xmin), so a
-- change that commits late is not missed. Kept an hour (DevicePruner).
create table token.device_changes (
    seq bigint generated always as identity primary key,
    tx xid8 not null default pg_current_xact_id(),
    user_id text not null,
    changed_at timestamptz not null default now()
);
create index device_changes_by_tx on token.device_changes (tx);

-- A user's devices, active or not, by when they were last seen: the cap on devices per user retires the least
-- recently seen (the index on active devices, for routing, stays as it is).
create index devices_by_user on token.devices (user_id, last_seen_at);
