-- The delivery log is kept for herald.token.delivery-log.retention (30 days) in one partition a day: the day (UTC,
-- by the database's clock) the row was first written. A day past the retention goes with one DROP TABLE: no
-- deletes, no dead rows, no vacuum behind them. A plan and its status written either side of midnight are two
-- rows, one a partition; the delivery log shows the newer. The key holds the day, as a partitioned table's key must.
--
-- The table written until now becomes delivery_log_legacy: the delivery log reads it too, and token-service drops
-- it once its rows are past the retention (at once if it is empty). Renaming it is instant, whatever its size.
alter table token.delivery_log rename to delivery_log_legacy;
alter table token.delivery_log_legacy rename constraint delivery_log_pkey to delivery_log_legacy_pkey;

create table token.delivery_log (
    event_id uuid not null,
    user_id text not null,
    channel text not null,
    delivery_key text not null,
    provider text,
    outcome text not null,
    reason text,
    updated_at timestamptz not null,
    notification_id uuid,
    day date not null default (now() at time zone 'utc')::date,
    primary key (event_id, user_id, channel, delivery_key, day)
) partition by range (day);

-- Rows of a day that has no partition yet (token-service, which makes them days ahead, was stopped for days) land
-- here; token-service deletes them in small batches once past the retention. Normally empty.
create table token.delivery_log_default partition of token.delivery_log default with (fillfactor = 70);

-- Today's partition and the next three days'; token-service makes the later ones ahead (LogPartitions). Each keeps a
-- third of its pages free, as the delivery log did (V6): a status updates its plan in place.
do $$
declare
    today date := (now() at time zone 'utc')::date;
begin
    for i in 0..3 loop
        execute format(
                'create table token.%I partition of token.delivery_log for values from (%L) to (%L) with (fillfactor = 70)',
                'delivery_log_p' || to_char(today + i, 'YYYYMMDD'), today + i, today + i + 1);
    end loop;
end
$$;
