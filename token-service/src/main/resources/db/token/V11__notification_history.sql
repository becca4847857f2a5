-- What was sent to each user, for the apps' GET /v1/users/{userId}/notifications: one row per routed event and
-- recipient, with the type, title and body as sent (the delivery log keeps each channel's outcome, not the words),
-- written by routing with its delivery log entries. An app is shown only its own (source) rows, newest first by
-- occurred_at; seq (the order routing wrote them) orders rows of the same instant and makes the paging cursor unique.
--
-- Kept as long as the delivery log, the same way (V8): one partition a day, the day (UTC, by the database's clock)
-- the row was written, made ahead and dropped whole by LogPartitions. A new, empty table: its index is built at once.
create sequence token.notification_history_seq;

create table token.notification_history (
    event_id uuid not null,
    source text not null,
    user_id text not null,
    notification_id uuid not null,
    type text not null,
    title text,
    body text,
    change text,
    occurred_at timestamptz not null,
    sent_at timestamptz not null,
    seq bigint not null default nextval('token.notification_history_seq'),
    day date not null default (now() at time zone 'utc')::date,
    primary key (event_id, source, user_id, day)
) partition by range (day);

alter sequence token.notification_history_seq owned by token.notification_history.seq;

-- A user's rows of one app, newest first, from a cursor on: read backwards.
create index notification_history_by_user on token.notification_history (user_id, source, occurred_at, seq);

-- Rows of a day that has no partition yet (token-service stopped for days); deleted once past the retention.
create table token.notification_history_default partition of token.notification_history default;

do $$
declare
    today date := (now() at time zone 'utc')::date;
begin
    for i in 0..3 loop
        execute format(
                'create table token.%I partition of token.notification_history for values from (%L) to (%L)',
                'notification_history_p' || to_char(today + i, 'YYYYMMDD'), today + i, today + i + 1);
    end loop;
end
$$;
