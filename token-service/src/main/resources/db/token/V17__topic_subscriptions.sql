-- Users' subscriptions to topics (DomainEvent.topics). The primary key is the fan-out's index: a topic's subscribers
-- in user id order, read a range at a time (chunks planned every herald.token.topics.chunk-size users).
create table token.topic_subscriptions (
    topic text not null,
    user_id text not null,
    subscribed_at timestamptz not null default now(),
    primary key (topic, user_id)
);

-- A user's own topics (GET /v1/topics/subscriptions) and the per-user limit.
create index topic_subscriptions_user on token.topic_subscriptions (user_id, topic);
