-- What the upstream app sent with each notification (issue 24), and what withdraw and update need. Nullable: rows
-- stored before have none of them.
alter table inbox.notifications
    add column source text,
    add column link text,
    add column image_url text,
    add column collapse_key text,
    -- The offset in herald.inapp.v1 of the last update applied to the row (in its own partition: a user's records
    -- share one). A resume from before it replays the update; an older update read again never undoes a newer one.
    add column updated_offset bigint;

-- A withdraw by collapse key deletes the user's items of one source with that key.
create index notifications_user_collapse_key on inbox.notifications (user_id, collapse_key)
    where collapse_key is not null;

-- Every withdrawal the inbox has applied, kept as long as notifications are (herald.fanout.inbox.retention):
-- a notification that reaches the inbox after its withdrawal (a redelivery, a replay of the topic, an event
-- routed late) is not stored, and a resume from before a withdrawal replays it to the socket.
create table inbox.withdrawals (
    -- The InAppNotification's id: the withdrawn notification's id (by id), or the withdraw's own (by collapse key).
    withdrawal_id uuid primary key,
    user_id text not null,
    -- By collapse key: the key and the app whose items it withdraws; null when by id.
    source text,
    collapse_key text,
    -- By collapse key, the items that occurred at or before it are withdrawn: a later one with the key is new.
    occurred_at timestamptz not null,
    created_at timestamptz not null,
    kafka_partition int,
    kafka_offset bigint
);

create index withdrawals_user_collapse_key on inbox.withdrawals (user_id, collapse_key)
    where collapse_key is not null;
create index withdrawals_user_position on inbox.withdrawals (user_id, kafka_partition, kafka_offset)
    where kafka_offset is not null;
create index withdrawals_created on inbox.withdrawals (created_at);
