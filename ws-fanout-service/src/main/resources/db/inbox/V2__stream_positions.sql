-- Where each notification is in herald.inapp.v1: every record is keyed by its user, so a user's notifications
-- are in one partition in offset order, and (partition, offset) is their exact place in the user's stream. Resume
-- replays by it. Rows stored before this column existed have none (resume falls back to time order for them).
alter table inbox.notifications
    add column kafka_partition int,
    add column kafka_offset bigint;

create index notifications_user_position on inbox.notifications (user_id, kafka_partition, kafka_offset)
    where kafka_offset is not null;

-- How far the inbox writers have got in each partition: every record below next_offset is stored (or was
-- dead-lettered and never will be). Written in the same statement as the rows, so a reader that sees a mark sees
-- the rows under it. A resume waits for it to pass what the node has already pushed live.
create table inbox.writer_progress (
    kafka_partition int primary key,
    next_offset bigint not null
);
