-- The record of sends is partitioned by the UTC day each row was recorded, so that an expired day is dropped
-- whole (DeliveryLogPartitions, herald.dispatch.delivery-log.retention) instead of deleted row by row.
-- A partitioned table's primary key must hold its partition key: rows are now appended, one per attempt,
-- keyed by (delivery_id, recorded_at, attempts), and "was it sent?" asks for any row of the delivery with
-- outcome 'sent'.
--
-- The existing table becomes the first partition as it is, without copying a row: it takes every row recorded
-- until two days after this migration (the daily partitions start then) and expires as one. Attaching it
-- reads it once (to check its range) and builds the new key's index on it: about a second per million rows,
-- while dispatch-service waits.
alter table dispatch.deliveries rename to deliveries_legacy;
alter table dispatch.deliveries_legacy rename column updated_at to recorded_at;
-- Appended rows repeat a delivery id (a failed attempt, then the sent one).
alter table dispatch.deliveries_legacy drop constraint deliveries_pkey;
alter index dispatch.deliveries_expo_receipts_due rename to deliveries_legacy_expo_receipts_due;

create table dispatch.deliveries (
    delivery_id uuid not null,
    event_id uuid not null,
    user_id text not null,
    provider text not null,
    outcome text not null,
    provider_message_id text,
    reason text,
    -- which attempt this row records (1: the first send); rows from before this migration hold a count
    attempts int not null default 1,
    recorded_at timestamptz not null,
    token text,
    receipt_checked boolean not null default false,
    primary key (delivery_id, recorded_at, attempts)
) partition by range (recorded_at);
create index deliveries_expo_receipts_due on dispatch.deliveries (recorded_at)
    where provider = 'expo' and outcome = 'sent' and not receipt_checked;

do $$
declare
    until_day date := (now() at time zone 'UTC')::date + 2;
    bound timestamptz := until_day::timestamp at time zone 'UTC';
    legacy text := 'deliveries_until_' || to_char(until_day, 'YYYYMMDD');
begin
    -- The constraint proves the range, so the attach needs no second pass over the rows.
    execute format('alter table dispatch.deliveries_legacy add constraint %I check (recorded_at < %L)',
        legacy || '_range', bound);
    execute format('alter table dispatch.deliveries_legacy rename to %I', legacy);
    execute format('alter table dispatch.deliveries attach partition dispatch.%I for values from (minvalue) to (%L)',
        legacy, bound);
end $$;
