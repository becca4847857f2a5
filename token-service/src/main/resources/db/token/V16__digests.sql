-- Digests (herald.token.digests, issue #25): events of a digest rule's types are absorbed into a window per app,
-- rule, recipient and key (the rule's key values, as a JSON array), and the recipient gets one notification when the
-- window closes. A window is open from its first event to closes_at; DigestPoller claims closed ones (FOR UPDATE SKIP
-- LOCKED: instances share the work) and deletes each in the transaction that routes its digest. digest_id: the
-- digest's event id, derived from the window (app, rule, recipient, key, opened_at), so that a digest routed again
-- after a crash has the same notification ids. last_event: the window's latest event (by occurredAt), whose fields
-- the digest carries.
create table token.digest_windows (
    digest_id uuid primary key,
    source text not null,
    rule text not null,
    user_id text not null,
    key text not null,
    opened_at timestamptz not null,
    closes_at timestamptz not null,
    last_event jsonb not null,
    last_occurred_at timestamptz not null,
    unique (source, rule, user_id, key)
) with (fillfactor = 50); -- every poll of a window's events updates its row in place (HOT: no indexed column changes)

-- The poller's order: the earliest closing first.
create index digest_windows_closing on token.digest_windows (closes_at);

-- Every event a digest absorbed, per recipient: one row per app, event id and recipient, so that an event read again
-- (a redelivery, a replay) is counted once, also after its digest went out. Kept after the digest for the delivery
-- log (the absorbed event's entry names its digest; the digest's log lists what it absorbed), as long as the log
-- keeps its rows (herald.token.delivery-log.retention), through the BRIN index on absorbed_at. seq: the order of
-- arrival ({actors} names the first actors first). actor_name: the first name the digest shows for the actor.
create table token.digest_members (
    event_id uuid not null,
    source text not null,
    user_id text not null,
    digest_id uuid not null,
    actor_id text,
    actor_name text,
    absorbed_at timestamptz not null,
    seq bigint generated always as identity,
    primary key (event_id, source, user_id)
);

create index digest_members_by_digest on token.digest_members (digest_id, seq);
create index digest_members_by_age on token.digest_members using brin (absorbed_at);
