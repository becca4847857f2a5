package io.herald.token.routing;

import io.herald.events.Change;
import io.herald.events.DeliveryStatus.Outcome;
import io.herald.events.DomainEvent;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.PushDelivery;
import io.herald.token.log.DeliveryLog;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Frequency caps ({@link FrequencyCapProperties}): per user, rule and window, the first {@code max} notifications
 * of the rule's types that routing would deliver on the rule's channels go out; the others are held back on those
 * channels and logged as {@code skipped}, reason {@code frequency-cap:<name>}; their other channels go out as usual.
 *
 * <p>Counted in {@code token.capped_notifications}, one row per user, rule, window and notification id, numbered in
 * the order first routed: a notification's rank is its place among its window's rows. An event routed again (a
 * redelivery) derives the same notification ids ({@link Ids}), so it finds its rows and gets the same decision; it
 * costs nothing more. The window is the one routing runs in (not the event's {@code occurredAt}, which the app sets):
 * an event redelivered across a window's end is counted again in the new window. Several consumers and instances
 * route one user's events at once (events are keyed by event id): each poll's counting is one transaction that first
 * takes a lock per (user, rule, window) it counts in, in one order, so that rows are numbered in the order their
 * transactions commit and no two consumers both take the last place.
 *
 * <p>Silent (data-only) events and withdrawals are never capped: they show nothing. An update is counted under the
 * notification it updates, so it shares that one's decision within a window. A poll with no event of a capped type
 * runs no statement here.
 *
 * <p>A push deferred past quiet hours ({@link Router.Deferral}) counts when it is deferred, in that window, as if it
 * were sent then: the quota is that of the moment the event was routed. Held back by a cap, it is not deferred (and
 * logged as {@code skipped}, not {@code deferred}); deferred, it is not counted again when it is sent (routing sends
 * it past the caps). Thread-safe.
 */
@Component
public class FrequencyCaps {

    private static final Logger log = LoggerFactory.getLogger(FrequencyCaps.class);

    /** The reason of a skip, before the rule's name. */
    static final String REASON = "frequency-cap:";

    /** Rows deleted per pruning statement. */
    private static final int PRUNE_BATCH = 1000;

    /** One notification counted in one rule's window. */
    record Claim(String user, String cap, long bucket, UUID notificationId) {}

    /** A poll's plans, capped: {@link #plan} gives each event's. */
    static final class Poll {

        private final IdentityHashMap<DomainEvent, Router.Plan> capped;
        private final Function<DomainEvent, Router.Plan> planner;

        Poll(IdentityHashMap<DomainEvent, Router.Plan> capped, Function<DomainEvent, Router.Plan> planner) {
            this.capped = capped;
            this.planner = planner;
        }

        /** The event's plan, less what its caps hold back (planned now when no cap concerns the event). */
        Router.Plan plan(DomainEvent event) {
            Router.Plan plan = capped.get(event);
            return plan != null ? plan : planner.apply(event);
        }
    }

    private final List<FrequencyCapProperties.Rule> rules;
    private final JdbcTemplate jdbc;
    private final Clock clock;

    FrequencyCaps(FrequencyCapProperties properties, JdbcTemplate jdbc, Clock clock) {
        this.rules = properties.frequencyCaps();
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Plans the poll's events of capped types, counts what they would deliver on the caps' channels (one transaction
     * of three statements for the poll), and holds back what is past a cap. The other events are planned by {@link
     * Poll#plan} as they are asked for, at no cost here.
     */
    Poll apply(List<DomainEvent> events, Function<DomainEvent, Router.Plan> planner, Instant now) {
        IdentityHashMap<DomainEvent, Router.Plan> plans = new IdentityHashMap<>();
        if (rules.isEmpty()) {
            return new Poll(plans, planner);
        }
        IdentityHashMap<DomainEvent, List<Counted>> counted = new IdentityHashMap<>();
        Map<Claim, Integer> claims = new LinkedHashMap<>();
        for (DomainEvent event : events) {
            List<FrequencyCapProperties.Rule> matching = capping(event);
            if (matching.isEmpty()) {
                continue;
            }
            Router.Plan plan = planner.apply(event);
            plans.put(event, plan);
            List<Counted> each = claims(plan, matching, now);
            counted.put(event, each);
            each.forEach(c -> claims.putIfAbsent(c.claim(), c.rule().max()));
        }
        if (claims.isEmpty()) {
            return new Poll(plans, planner);
        }
        Set<Claim> held = jdbc.execute((ConnectionCallback<Set<Claim>>) c -> pastTheirCaps(c, claims));
        counted.forEach((event, each) ->
                plans.put(event, holdBack(event, Objects.requireNonNull(plans.get(event)), each, held, now)));
        return new Poll(plans, planner);
    }

    /** The rules that cap the event: those of its type, unless it is silent or a withdrawal (they show nothing). */
    List<FrequencyCapProperties.Rule> capping(DomainEvent event) {
        Change change = event.change();
        if (event.silent() || (change != null && change.kind() == Change.Kind.WITHDRAW)) {
            return List.of();
        }
        List<FrequencyCapProperties.Rule> matching = new ArrayList<>(1);
        for (FrequencyCapProperties.Rule rule : rules) {
            if (rule.matches(event.type())) {
                matching.add(rule);
            }
        }
        return matching;
    }

    /** A claim and the rule it counts for. */
    record Counted(Claim claim, FrequencyCapProperties.Rule rule) {}

    /** What a plan counts: per rule, each recipient it delivers to on one of the rule's channels. */
    static List<Counted> claims(Router.Plan plan, List<FrequencyCapProperties.Rule> rules, Instant now) {
        Map<String, UUID> pushed = new LinkedHashMap<>();
        plan.pushes().forEach(p -> pushed.putIfAbsent(p.userId(), p.notificationId()));
        plan.deferred().forEach(d -> d.pushes().forEach(p -> pushed.putIfAbsent(p.userId(), p.notificationId())));
        Map<String, UUID> stored = new LinkedHashMap<>();
        plan.inApp().forEach(n -> stored.putIfAbsent(n.userId(), n.notificationId()));
        List<Counted> counted = new ArrayList<>();
        for (FrequencyCapProperties.Rule rule : rules) {
            Map<String, UUID> delivered = new LinkedHashMap<>();
            if (rule.channels().contains("inapp")) {
                delivered.putAll(stored);
            }
            if (rule.channels().contains("push")) {
                pushed.forEach(delivered::putIfAbsent);
            }
            long bucket = rule.bucket(now);
            delivered.forEach((user, id) -> counted.add(new Counted(new Claim(user, rule.name(), bucket, id), rule)));
        }
        return counted;
    }

    /**
     * The plan less the deliveries its held claims hold back, with a skipped entry for each recipient and channel
     * held back (naming the first rule that held it). A push whose inbox item is held back no longer says it has one.
     */
    static Router.Plan holdBack(
            DomainEvent event, Router.Plan plan, List<Counted> counted, Set<Claim> held, Instant now) {
        Map<String, Map<String, String>> heldChannels = new LinkedHashMap<>();
        for (Counted c : counted) {
            if (held.contains(c.claim())) {
                Map<String, String> channels =
                        heldChannels.computeIfAbsent(c.claim().user(), u -> new LinkedHashMap<>());
                c.rule()
                        .channels()
                        .forEach(channel ->
                                channels.putIfAbsent(channel, c.rule().name()));
            }
        }
        if (heldChannels.isEmpty()) {
            return plan;
        }
        List<InAppNotification> inApp = new ArrayList<>();
        for (InAppNotification n : plan.inApp()) {
            if (!heldChannels.getOrDefault(n.userId(), Map.of()).containsKey("inapp")) {
                inApp.add(n);
            }
        }
        List<PushDelivery> pushes = new ArrayList<>();
        for (PushDelivery p : plan.pushes()) {
            Map<String, String> channels = heldChannels.getOrDefault(p.userId(), Map.of());
            if (!channels.containsKey("push")) {
                pushes.add(p.inApp() && channels.containsKey("inapp") ? withoutInbox(p) : p);
            }
        }
        List<Router.Deferral> deferred = new ArrayList<>();
        for (Router.Deferral d : plan.deferred()) {
            if (!heldChannels.getOrDefault(d.userId(), Map.of()).containsKey("push")) {
                deferred.add(d);
            }
        }
        // A push held back is not deferred either: its deferred entries give way to the skip.
        List<DeliveryLog.Entry> log = new ArrayList<>();
        for (DeliveryLog.Entry e : plan.log()) {
            if (e.outcome() != Outcome.DEFERRED
                    || !heldChannels.getOrDefault(e.userId(), Map.of()).containsKey("push")) {
                log.add(e);
            }
        }
        Set<String> planned = new HashSet<>();
        plan.pushes().forEach(p -> planned.add(p.userId() + "\u0000push"));
        plan.deferred().forEach(d -> planned.add(d.userId() + "\u0000push"));
        plan.inApp().forEach(n -> planned.add(n.userId() + "\u0000inapp"));
        heldChannels.forEach((user, channels) -> {
            UUID own = Ids.notificationId(event.eventId(), event.source(), user);
            channels.forEach((channel, rule) -> {
                if (planned.contains(user + "\u0000" + channel)) {
                    log.add(new DeliveryLog.Entry(
                            event.eventId(),
                            user,
                            channel,
                            own.toString(),
                            null,
                            Outcome.SKIPPED,
                            REASON + rule,
                            now,
                            own));
                }
            });
        });
        return new Router.Plan(inApp, pushes, log, deferred);
    }

    private static PushDelivery withoutInbox(PushDelivery p) {
        return new PushDelivery(
                p.deliveryId(),
                p.notificationId(),
                p.eventId(),
                p.schemaVersion(),
                p.occurredAt(),
                p.userId(),
                p.type(),
                p.provider(),
                p.token(),
                p.platform(),
                p.title(),
                p.body(),
                p.data(),
                p.priority(),
                p.ttlSeconds(),
                p.collapseKey(),
                p.androidChannelId(),
                p.sound(),
                p.imageUrl(),
                p.link(),
                p.actions(),
                p.category(),
                p.badge(),
                p.silent(),
                p.change(),
                false);
    }

    /**
     * Counts the claims (each with its rule's max) and returns those past their cap. One transaction (the caller's,
     * when one is under way on the connection: a poller routing due events or digests): the locks of
     * the claims' (user, rule, window), sorted so that two transactions never wait on each other crosswise; the new
     * rows (a row already there keeps its place); each claim's rows before it, up to its max.
     */
    private static Set<Claim> pastTheirCaps(Connection c, Map<Claim, Integer> claims) throws SQLException {
        int n = claims.size();
        String[] users = new String[n];
        String[] caps = new String[n];
        Long[] buckets = new Long[n];
        UUID[] ids = new UUID[n];
        Integer[] maxes = new Integer[n];
        TreeSet<Long> locks = new TreeSet<>();
        int i = 0;
        for (Map.Entry<Claim, Integer> e : claims.entrySet()) {
            Claim claim = e.getKey();
            users[i] = claim.user();
            caps[i] = claim.cap();
            buckets[i] = claim.bucket();
            ids[i] = claim.notificationId();
            maxes[i] = e.getValue();
            locks.add(lockKey(claim));
            i++;
        }
        // A transaction of its own, unless the caller's (a poller's) is under way: then the counts are part of it,
        // and committing here would commit the caller's work half done (and end its savepoints).
        boolean autoCommit = c.getAutoCommit();
        if (autoCommit) {
            c.setAutoCommit(false);
        }
        try {
            Set<Claim> held = new HashSet<>();
            // unnest yields the array's order: the locks are taken in ascending order.
            try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(k) from unnest(?) as k")) {
                lock.setArray(1, c.createArrayOf("bigint", locks.toArray()));
                lock.executeQuery().close();
            }
            try (PreparedStatement insert = c.prepareStatement("""
                    insert into token.capped_notifications (user_id, cap, bucket, notification_id)
                    select * from unnest(?::text[], ?::text[], ?::bigint[], ?::uuid[])
                    on conflict do nothing
                    """)) {
                bind(c, insert, users, caps, buckets, ids);
                insert.executeUpdate();
            }
            try (PreparedStatement rank = c.prepareStatement("""
                    select k.user_id, k.cap, k.bucket, k.notification_id, (select count(*) from (
                        select 1 from token.capped_notifications o
                        where o.user_id = k.user_id and o.cap = k.cap and o.bucket = k.bucket and o.seq < c.seq
                        limit k.max) b) as before
                    from unnest(?::text[], ?::text[], ?::bigint[], ?::uuid[], ?::int[])
                        as k(user_id, cap, bucket, notification_id, max)
                    join token.capped_notifications c on c.user_id = k.user_id and c.cap = k.cap
                        and c.bucket = k.bucket and c.notification_id = k.notification_id
                    """)) {
                bind(c, rank, users, caps, buckets, ids);
                rank.setArray(5, c.createArrayOf("integer", maxes));
                try (ResultSet rs = rank.executeQuery()) {
                    Map<Claim, Integer> max = new HashMap<>(claims);
                    while (rs.next()) {
                        var claim =
                                new Claim(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getObject(4, UUID.class));
                        if (rs.getLong(5) >= max.getOrDefault(claim, Integer.MAX_VALUE)) {
                            held.add(claim);
                        }
                    }
                }
            }
            if (autoCommit) {
                c.commit();
            }
            return held;
        } catch (SQLException | RuntimeException e) {
            if (autoCommit) {
                c.rollback();
            }
            throw e;
        } finally {
            if (autoCommit) {
                c.setAutoCommit(true);
            }
        }
    }

    private static void bind(
            Connection c, PreparedStatement ps, String[] users, String[] caps, Long[] buckets, UUID[] ids)
            throws SQLException {
        ps.setArray(1, c.createArrayOf("text", users));
        ps.setArray(2, c.createArrayOf("text", caps));
        ps.setArray(3, c.createArrayOf("bigint", buckets));
        ps.setArray(4, c.createArrayOf("uuid", ids));
    }

    /** The advisory lock of a claim's (user, rule, window): the same on every instance; a collision only waits. */
    static long lockKey(Claim claim) {
        return UUID.nameUUIDFromBytes((claim.user() + "\u0000" + claim.cap() + "\u0000" + claim.bucket())
                        .getBytes(StandardCharsets.UTF_8))
                .getMostSignificantBits();
    }

    /**
     * Deletes counts no rule needs any more: those of windows that started more than twice the longest {@code per}
     * ago (every count when there is no rule), in batches.
     */
    @Scheduled(initialDelay = 10, fixedDelay = 10, timeUnit = TimeUnit.MINUTES)
    public int prune() {
        Duration longest = rules.stream()
                .map(FrequencyCapProperties.Rule::per)
                .max(Duration::compareTo)
                .orElse(Duration.ZERO);
        long cutoff = clock.instant().minus(longest.multipliedBy(2)).toEpochMilli();
        int deleted = 0;
        for (int n = PRUNE_BATCH; n == PRUNE_BATCH; ) {
            n = jdbc.update("""
                    delete from token.capped_notifications where ctid = any(array(
                        select ctid from token.capped_notifications where bucket < ? limit %d))
                    """.formatted(PRUNE_BATCH), cutoff);
            deleted += n;
        }
        if (deleted > 0) {
            log.info("frequency caps: pruned {} counts of windows before {}", deleted, Instant.ofEpochMilli(cutoff));
        }
        return deleted;
    }
}
