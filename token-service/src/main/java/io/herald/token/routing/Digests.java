package io.herald.token.routing;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Digests ({@link DigestProperties}): an event of a rule's types that would make a new notification (not a change,
 * not silent) is not routed; each of its recipients (the actor excepted, as always) has it absorbed into their
 * window of the rule, the app and the rule's key values ({@code token.digest_windows}, V16), opened by the first
 * such event and closing a {@code window} later; {@link DigestPoller} then routes one notification, the digest, to
 * the recipient: its words from the rule's title and body ({@code {count}}, {@code {actors}} and the templates'
 * placeholders, filled from the window's latest event), its other fields the latest event's.
 *
 * <p>Absorbing is one statement for the poll's events of digest types, whatever their number: the poll's events are
 * first gathered per window in memory, then the windows are opened or updated and the events recorded as members
 * ({@code token.digest_members}) together. A member is one row per app, event id and recipient, so that an event read
 * again (Kafka redelivers after a crash: routing keeps no marks) is counted once, also after its digest went out. A
 * poll without events of a digest type, and any poll when no rule is configured, runs no statement here.
 *
 * <p>The digest is an event of its own: its id is derived from the window (app, rule, recipient, key, opening
 * instant), so a digest routed again after a crash has the same notification and delivery ids. It carries Herald's
 * data keys {@value #DIGEST_KEY} (the rule's name) and {@value #COUNT_KEY} (the count), and an event carrying {@value
 * #DIGEST_KEY} is never absorbed: a digest that passes through the listener's path again (held and routed later) is
 * delivered. The delivery log shows an absorbed event as {@code digested}, reason {@code digest:<digest id>}, from
 * the members ({@code io.herald.token.log.EventLog}).
 * Thread-safe.
 */
@Component
public class Digests {

    private static final Logger log = LoggerFactory.getLogger(Digests.class);

    /** The digest's data key naming its rule; an event carrying it is not absorbed. */
    public static final String DIGEST_KEY = "herald.digest";

    /** The digest's data key holding the number of events it absorbed. */
    public static final String COUNT_KEY = "herald.digestCount";

    /** How many distinct actors {@code {actors}} names before "and N others". */
    static final int NAMED_ACTORS = 2;

    /** Rows deleted per pruning statement. */
    private static final int PRUNE_BATCH = 5000;

    private static final Pattern PLACEHOLDER =
            Pattern.compile("\\{(count|actors|actor|object|object\\.title|object\\.id|data\\.[A-Za-z0-9_.-]+)}");

    private static final String ABSORB = """
            with w as (
                insert into token.digest_windows as d (digest_id, source, rule, user_id, key, opened_at, closes_at,
                    last_event, last_occurred_at)
                select i.digest_id, i.source, i.rule, i.user_id, i.key, i.opened_at, i.closes_at, i.last_event::jsonb,
                    i.last_occurred_at
                from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[],
                    ?::text[], ?::timestamptz[]) with ordinality
                    as i(digest_id, source, rule, user_id, key, opened_at, closes_at, last_event, last_occurred_at, n)
                order by i.n
                on conflict (source, rule, user_id, key) do update set
                    last_event = case when excluded.last_occurred_at >= d.last_occurred_at
                        then excluded.last_event else d.last_event end,
                    last_occurred_at = greatest(excluded.last_occurred_at, d.last_occurred_at)
                returning d.digest_id, d.source, d.rule, d.user_id, d.key
            )
            insert into token.digest_members (event_id, source, user_id, digest_id, actor_id, actor_name, absorbed_at)
            select m.event_id, m.source, m.user_id, w.digest_id, m.actor_id, m.actor_name, ?
            from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) with ordinality
                as m(event_id, source, user_id, rule, key, actor_id, actor_name, n)
            join w on w.source = m.source and w.rule = m.rule and w.user_id = m.user_id and w.key = m.key
            order by m.n
            on conflict do nothing
            """;

    /**
     * Claims the earliest closed windows no other transaction holds, and deletes them: gone for good only if the
     * transaction commits, and skipped by the other instances until it ends.
     */
    private static final String TAKE_CLOSED = """
            delete from token.digest_windows w
            using (select digest_id from token.digest_windows
                   where closes_at <= ?
                   order by closes_at
                   limit ?
                   for update skip locked) c
            where w.digest_id = c.digest_id
            returning w.digest_id, w.source, w.rule, w.user_id, w.last_event::text as last_event
            """;

    /**
     * Per digest: its events, its distinct actors, and the first {@code NAMED_ACTORS + 1} of them by first arrival
     * (one row each; a digest with no actor at all gives one row with a null actor).
     */
    private static final String TALLIES = """
            with a as (
                select digest_id, actor_id, min(seq) as first, count(*) as n,
                    (array_agg(actor_name order by seq))[1] as name
                from token.digest_members where digest_id = any(?)
                group by digest_id, actor_id
            ), r as (
                select digest_id, actor_id, name, sum(n) over w as events, count(actor_id) over w as actors,
                    row_number() over (partition by digest_id order by actor_id is null, first) as rn
                from a window w as (partition by digest_id)
            )
            select digest_id, actor_id, name, events, actors from r where rn <= ? order by digest_id, rn
            """;

    /** A window this poll absorbs events into. */
    record Window(String source, String rule, String user, String key) {}

    private static final Comparator<Window> WINDOW_ORDER = Comparator.comparing(Window::source)
            .thenComparing(Window::rule)
            .thenComparing(Window::user)
            .thenComparing(Window::key);

    /** A closed window, claimed: its digest's id, and its latest event. */
    record Closed(UUID digestId, String source, String rule, String user, DomainEvent last) {}

    /**
     * What a closed window absorbed.
     *
     * @param events how many events
     * @param actors how many distinct actors
     * @param names the first names of the first actors by arrival, at most {@link #NAMED_ACTORS} + 1
     */
    record Tally(long events, long actors, List<String> names) {}

    private final List<DigestProperties.Rule> rules;
    private final Map<String, DigestProperties.Rule> byName;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration retention;
    private final MeterRegistry meters;

    Digests(
            DigestProperties properties,
            JdbcTemplate jdbc,
            Clock clock,
            @Value("${herald.token.delivery-log.retention:30d}") Duration retention,
            MeterRegistry meters) {
        this.rules = properties.digests();
        Map<String, DigestProperties.Rule> names = new HashMap<>();
        rules.forEach(r -> names.put(r.name(), r));
        this.byName = Map.copyOf(names);
        this.jdbc = jdbc;
        this.clock = clock;
        this.retention = retention;
        this.meters = meters;
    }

    /**
     * The rule that absorbs the event, or null: the first whose types match, for an event that would make a new
     * notification (not a change, not silent, not a digest itself) for someone other than its actor.
     */
    DigestProperties.@Nullable Rule ruleOf(DomainEvent event) {
        if (rules.isEmpty()
                || event.silent()
                || event.change() != null
                || event.data().containsKey(DIGEST_KEY)
                || Router.recipients(event).isEmpty()) {
            return null;
        }
        for (DigestProperties.Rule rule : rules) {
            if (rule.matches(event.type())) {
                return rule;
            }
        }
        return null;
    }

    /**
     * Absorbs the events of digest types into their windows (one statement for all of them) and returns the others,
     * to be routed: the same list when none is absorbed.
     */
    List<DomainEvent> absorb(List<DomainEvent> events) {
        if (rules.isEmpty()) {
            return events;
        }
        List<DomainEvent> rest = null;
        Map<Window, DomainEvent> latest = new LinkedHashMap<>();
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            DomainEvent event = events.get(i);
            DigestProperties.Rule rule = ruleOf(event);
            if (rule == null) {
                if (rest != null) {
                    rest.add(event);
                }
                continue;
            }
            if (rest == null) {
                rest = new ArrayList<>(events.subList(0, i));
            }
            String key = key(rule, event);
            String actorName = event.actor() == null ? null : firstName(event.actor());
            String actorId = event.actor() == null ? null : event.actor().id();
            for (String user : Router.recipients(event)) {
                var window = new Window(event.source(), rule.name(), user, key);
                latest.merge(window, event, (a, b) -> b.occurredAt().isBefore(a.occurredAt()) ? a : b);
                members.add(new Member(event.eventId(), window, actorId, actorName));
            }
        }
        if (rest == null) {
            return events;
        }
        Instant now = clock.instant();
        // In one order on every consumer and instance, so that two polls updating the same windows never wait on
        // each other crosswise (a deadlock).
        Map<Window, DomainEvent> sorted = new TreeMap<>(WINDOW_ORDER);
        sorted.putAll(latest);
        jdbc.execute((ConnectionCallback<Integer>) c -> write(c, sorted, members, now));
        meters.counter("herald.token.digests.absorbed").increment(events.size() - rest.size());
        log.debug("absorbed {} events into {} digest windows", events.size() - rest.size(), latest.size());
        return rest;
    }

    /** One event absorbed for one recipient. */
    private record Member(
            UUID eventId,
            Window window,
            @Nullable String actorId,
            @Nullable String actorName) {}

    private int write(Connection c, Map<Window, DomainEvent> latest, List<Member> members, Instant now)
            throws SQLException {
        int w = latest.size();
        UUID[] ids = new UUID[w];
        String[] sources = new String[w];
        String[] ruleNames = new String[w];
        String[] users = new String[w];
        String[] keys = new String[w];
        Timestamp[] opened = new Timestamp[w];
        Timestamp[] closes = new Timestamp[w];
        String[] lastEvents = new String[w];
        Timestamp[] lastAt = new Timestamp[w];
        int i = 0;
        for (Map.Entry<Window, DomainEvent> e : latest.entrySet()) {
            Window window = e.getKey();
            DomainEvent last = e.getValue();
            ids[i] = digestId(window, now);
            sources[i] = window.source();
            ruleNames[i] = window.rule();
            users[i] = window.user();
            keys[i] = window.key();
            opened[i] = Timestamp.from(now);
            closes[i] = Timestamp.from(
                    now.plus(Objects.requireNonNull(byName.get(window.rule())).window()));
            lastEvents[i] = HeraldJson.mapper().writeValueAsString(last);
            lastAt[i] = Timestamp.from(last.occurredAt());
            i++;
        }
        int m = members.size();
        UUID[] eventIds = new UUID[m];
        String[] mSources = new String[m];
        String[] mUsers = new String[m];
        String[] mRules = new String[m];
        String[] mKeys = new String[m];
        String[] actorIds = new String[m];
        String[] actorNames = new String[m];
        for (int j = 0; j < m; j++) {
            Member member = members.get(j);
            eventIds[j] = member.eventId();
            mSources[j] = member.window().source();
            mUsers[j] = member.window().user();
            mRules[j] = member.window().rule();
            mKeys[j] = member.window().key();
            actorIds[j] = member.actorId();
            actorNames[j] = member.actorName();
        }
        try (PreparedStatement ps = c.prepareStatement(ABSORB)) {
            int p = 1;
            ps.setArray(p++, c.createArrayOf("uuid", ids));
            for (String[] column : List.of(sources, ruleNames, users, keys)) {
                ps.setArray(p++, c.createArrayOf("text", column));
            }
            ps.setArray(p++, c.createArrayOf("timestamptz", opened));
            ps.setArray(p++, c.createArrayOf("timestamptz", closes));
            ps.setArray(p++, c.createArrayOf("text", lastEvents));
            ps.setArray(p++, c.createArrayOf("timestamptz", lastAt));
            ps.setTimestamp(p++, Timestamp.from(now));
            ps.setArray(p++, c.createArrayOf("uuid", eventIds));
            for (String[] column : List.of(mSources, mUsers, mRules, mKeys, actorIds, actorNames)) {
                ps.setArray(p++, c.createArrayOf("text", column));
            }
            return ps.executeUpdate();
        }
    }

    /**
     * Takes up to {@code limit} closed windows, earliest closing first, deleting them. Only within a transaction: the
     * caller routes their digests before it commits, and a rollback puts them back.
     */
    List<Closed> takeClosed(int limit) {
        return jdbc.query(
                TAKE_CLOSED,
                (rs, n) -> new Closed(
                        rs.getObject("digest_id", UUID.class),
                        rs.getString("source"),
                        rs.getString("rule"),
                        rs.getString("user_id"),
                        HeraldJson.mapper().readValue(rs.getString("last_event"), DomainEvent.class)),
                Timestamp.from(clock.instant()),
                limit);
    }

    /** What each of these digests absorbed; a digest with no member (every event was counted before) has none. */
    Map<UUID, Tally> tallies(List<UUID> digestIds) {
        Map<UUID, Tally> tallies = new HashMap<>();
        if (digestIds.isEmpty()) {
            return tallies;
        }
        jdbc.query(
                TALLIES,
                rs -> {
                    UUID id = rs.getObject("digest_id", UUID.class);
                    Tally tally = tallies.get(id);
                    if (tally == null) {
                        tally = newTally(rs.getLong("events"), rs.getLong("actors"));
                        tallies.put(id, tally);
                    }
                    if (rs.getString("actor_id") != null) {
                        tally.names().add(rs.getString("name"));
                    }
                },
                digestIds.toArray(UUID[]::new),
                NAMED_ACTORS + 1);
        return tallies;
    }

    private static Tally newTally(long events, long actors) {
        return new Tally(events, actors, new ArrayList<>());
    }

    /**
     * The digest of a closed window: the latest event's fields for the one recipient, under the digest's id, with the
     * rule's words (the latest event's own words, and its type's template, when the rule is no longer configured).
     */
    DomainEvent digest(Closed closed, Tally tally) {
        DigestProperties.Rule rule = byName.get(closed.rule());
        return digest(closed, tally, rule);
    }

    static DomainEvent digest(Closed closed, Tally tally, DigestProperties.@Nullable Rule rule) {
        DomainEvent last = closed.last();
        String actors = actors(tally.names(), tally.actors());
        Map<String, String> data = new LinkedHashMap<>(last.data());
        data.put(DIGEST_KEY, closed.rule());
        data.put(COUNT_KEY, Long.toString(tally.events()));
        return new DomainEvent(
                closed.digestId(),
                DomainEvent.SCHEMA_VERSION,
                last.type(),
                last.source(),
                last.occurredAt(),
                last.actor(),
                List.of(closed.user()),
                last.object(),
                data,
                rule == null ? last.title() : fill(rule.title(), last, tally.events(), actors),
                rule == null ? last.body() : fill(rule.body(), last, tally.events(), actors),
                last.priority(),
                last.ttlSeconds(),
                last.collapseKey(),
                last.channels(),
                last.imageUrl(),
                last.link(),
                last.actions(),
                last.category(),
                last.sound(),
                last.badge(),
                false,
                null,
                null,
                null,
                null);
    }

    /**
     * The window's id, which is its digest's event id: derived from the app, rule, recipient, key and the instant
     * it opened, so that every instance and every retry names one window alike.
     */
    static UUID digestId(Window window, Instant openedAt) {
        String name = String.join(
                "\u0000",
                "herald-digest",
                window.source(),
                window.rule(),
                window.user(),
                window.key(),
                Long.toString(openedAt.toEpochMilli()));
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    /** The event's values of the rule's key, as a JSON array (an absent value is an empty string). */
    static String key(DigestProperties.Rule rule, DomainEvent event) {
        if (rule.key().isEmpty()) {
            return "[]";
        }
        List<String> values = new ArrayList<>(rule.key().size());
        for (String part : rule.key()) {
            String value;
            if (part.equals("object.id")) {
                value = event.object() == null ? null : event.object().id();
            } else if (part.equals("actor.id")) {
                value = event.actor() == null ? null : event.actor().id();
            } else {
                value = event.data().get(part.substring("data.".length()));
            }
            values.add(value == null ? "" : value);
        }
        return HeraldJson.mapper().writeValueAsString(values);
    }

    /** The actor's first name: the first word of their display name, else their id. */
    static String firstName(DomainEvent.Actor actor) {
        String name = actor.displayName();
        if (name != null && !name.isBlank()) {
            return name.strip().split("\\s+", 2)[0];
        }
        return actor.id();
    }

    /**
     * {@code {actors}}: the distinct actors' first names in order of arrival — "Ann", "Ann and Bob", "Ann, Bob and
     * Carl", and from four on the first {@value #NAMED_ACTORS} then "and N others" ("Ann, Bob and 3 others");
     * "Someone" when no event named an actor.
     *
     * @param names the first names of the first actors, at least {@code min(distinct, 3)} of them
     * @param distinct how many distinct actors there were
     */
    static String actors(List<String> names, long distinct) {
        if (distinct <= 0 || names.isEmpty()) {
            return "Someone";
        }
        if (distinct == 1 || names.size() == 1) {
            return names.getFirst();
        }
        if (distinct == 2) {
            return names.get(0) + " and " + names.get(1);
        }
        if (distinct == NAMED_ACTORS + 1 && names.size() > NAMED_ACTORS) {
            return names.get(0) + ", " + names.get(1) + " and " + names.get(2);
        }
        long others = distinct - NAMED_ACTORS;
        return names.get(0) + ", " + names.get(1) + " and " + others + (others == 1 ? " other" : " others");
    }

    /**
     * The rule's words for a digest: {@code {count}} and {@code {actors}}, {@code {object.title}} (as {@code
     * {object}}) and {@code {object.id}}, and the templates' placeholders ({@code {actor}}, {@code {object}}, {@code
     * {data.<name>}}) filled from the latest event. One pass: what a value holds is never read as a placeholder.
     */
    static String fill(String text, DomainEvent last, long count, String actors) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = switch (name) {
                case "count" -> Long.toString(count);
                case "actors" -> actors;
                case "object.title" -> Templates.fill("{object}", last);
                case "object.id" -> last.object() == null ? "" : last.object().id();
                default -> Templates.fill("{" + name + "}", last);
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Deletes the members the delivery log no longer needs: those absorbed longer ago than the log's retention, in
     * batches. Windows are never pruned: each closes and is routed.
     */
    @Scheduled(initialDelay = 15, fixedDelay = 60, timeUnit = TimeUnit.MINUTES)
    public int prune() {
        Instant cutoff = clock.instant().minus(retention);
        int deleted = 0;
        for (int n = PRUNE_BATCH; n == PRUNE_BATCH; ) {
            n = jdbc.update("""
                    delete from token.digest_members where ctid = any(array(
                        select ctid from token.digest_members where absorbed_at < ? limit %d))
                    """.formatted(PRUNE_BATCH), Timestamp.from(cutoff));
            deleted += n;
        }
        if (deleted > 0) {
            log.info("digests: pruned {} absorbed events older than {}", deleted, cutoff);
        }
        return deleted;
    }
}
