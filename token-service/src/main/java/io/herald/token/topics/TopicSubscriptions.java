package io.herald.token.topics;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code token.topic_subscriptions} table: who is subscribed to which topic. Read by the fan-out a range of one
 * topic's subscribers at a time, in user id order (the primary key's index), never a whole topic at once.
 *
 * <p>The per-user limit is checked under a lock per user (a transaction-scoped advisory lock), so that concurrent
 * subscriptions of one user never pass it together. Thread-safe.
 */
@Repository
public class TopicSubscriptions {

    /** One of a user's subscriptions. */
    public record Subscription(String topic, Instant subscribedAt) {}

    /** Locks each user's subscriptions until the transaction ends; users in one order, so two never deadlock. */
    private static final String LOCK_USERS =
            "select count(*) from (select pg_advisory_xact_lock(hashtextextended('topic-subscriptions:' || u, 0))"
                    + " from unnest(cast(:users as text[])) u) l";

    private final JdbcClient jdbc;
    private final Clock clock;
    private final TransactionTemplate transactions;

    TopicSubscriptions(JdbcClient jdbc, Clock clock, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /**
     * Subscribes the user to the topic, unless they have {@code limit} other subscriptions already: whether they are
     * subscribed (now or before).
     */
    public boolean subscribe(String topic, String userId, int limit) {
        return add(topic, List.of(userId), limit).isEmpty();
    }

    /**
     * Subscribes the users to the topic, each unless over {@code limit}: the users who were not subscribed because of
     * the limit (those subscribed already are left as they are).
     */
    public List<String> add(String topic, Collection<String> userIds, int limit) {
        List<String> users = List.copyOf(new TreeSet<>(userIds));
        if (users.isEmpty()) {
            return List.of();
        }
        List<String> refused = transactions.execute(status -> {
            jdbc.sql(LOCK_USERS)
                    .param("users", users.toArray(String[]::new))
                    .query()
                    .singleValue();
            // Those already subscribed and those under the limit: everyone else is over it.
            List<String> allowed = jdbc.sql("""
                            select u from unnest(cast(:users as text[])) u
                            where exists (select 1 from token.topic_subscriptions s where s.topic = :topic and s.user_id = u)
                               or (select count(*) from token.topic_subscriptions s where s.user_id = u) < :limit
                            """)
                    .param("users", users.toArray(String[]::new))
                    .param("topic", topic)
                    .param("limit", limit)
                    .query(String.class)
                    .list();
            jdbc.sql("""
                            insert into token.topic_subscriptions (topic, user_id, subscribed_at)
                            select :topic, u, :now from unnest(cast(:users as text[])) u
                            on conflict do nothing
                            """)
                    .param("topic", topic)
                    .param("users", allowed.toArray(String[]::new))
                    .param("now", Timestamp.from(clock.instant()))
                    .update();
            List<String> over = new ArrayList<>(users);
            over.removeAll(allowed);
            return over;
        });
        return refused == null ? List.of() : refused;
    }

    /** Unsubscribes the users from the topic; how many were subscribed. */
    public int remove(String topic, Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return 0;
        }
        return jdbc.sql("delete from token.topic_subscriptions where topic = :topic and user_id = any(cast(:users as"
                        + " text[]))")
                .param("topic", topic)
                .param("users", userIds.toArray(String[]::new))
                .update();
    }

    /** The user's subscriptions by topic name, the first {@code limit} after {@code after} (or from the first). */
    public List<Subscription> of(String userId, @Nullable String after, int limit) {
        return jdbc.sql("""
                        select topic, subscribed_at from token.topic_subscriptions
                        where user_id = :user and topic > :after
                        order by topic limit :limit
                        """)
                .param("user", userId)
                .param("after", after == null ? "" : after)
                .param("limit", limit)
                .query((rs, n) -> new Subscription(
                        rs.getString("topic"), rs.getTimestamp("subscribed_at").toInstant()))
                .list();
    }

    /**
     * The first user of every {@code chunkSize} subscribers of the topic from {@code from} on (all of them for {@code
     * null}), in user id order, for at most {@code chunks + 1} chunks: the last one (if there are {@code chunks + 1})
     * is where the rest of the topic begins. One statement reading at most {@code chunks * chunkSize + 1} index
     * entries; the answer holds at most {@code chunks + 1} ids.
     */
    public List<String> chunkStarts(String topic, @Nullable String from, int chunkSize, int chunks) {
        return jdbc.sql("""
                        select user_id from (
                            select user_id, row_number() over (order by user_id) as n
                            from token.topic_subscriptions
                            where topic = :topic and user_id >= :from
                            order by user_id
                            limit :span) s
                        where (n - 1) % :chunk = 0
                        order by user_id
                        """)
                .param("topic", topic)
                .param("from", from == null ? "" : from)
                .param("span", (long) chunks * chunkSize + 1)
                .param("chunk", chunkSize)
                .query(String.class)
                .list();
    }

    /**
     * The topic's subscribers from {@code from} (inclusive, or after {@code after} when given) to {@code until}
     * (exclusive; {@code null}: to the last), in user id order, at most {@code limit}.
     */
    public List<String> subscribers(
            String topic, String from, @Nullable String after, @Nullable String until, int limit) {
        String lower = after == null ? "user_id >= :from" : "user_id > :from";
        String upper = until == null ? "" : " and user_id < :until";
        var query = jdbc.sql("select user_id from token.topic_subscriptions where topic = :topic and " + lower + upper
                        + " order by user_id limit :limit")
                .param("topic", topic)
                .param("from", after == null ? from : after)
                .param("limit", limit);
        if (until != null) {
            query = query.param("until", until);
        }
        return query.query(String.class).list();
    }
}
