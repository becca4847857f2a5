package io.herald.token.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.events.Change;
import io.herald.events.DomainEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;

class DigestsTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    /** Binds {@code herald.token.*} as Spring Boot does from the service's configuration. */
    private static DigestProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("herald.token", DigestProperties.class);
    }

    private static final Map<String, String> LIKES = Map.of(
            "herald.token.digests[0].name", "likes",
            "herald.token.digests[0].types", "product_like,service_*",
            "herald.token.digests[0].window", "10m",
            "herald.token.digests[0].key", "object.id",
            "herald.token.digests[0].title", "{count} likes on {object.title}",
            "herald.token.digests[0].body", "{actors} liked your product");

    private static DigestProperties.Rule rule(List<String> key) {
        return new DigestProperties.Rule("likes", List.of("product_like"), Duration.ofMinutes(10), key, "t", "b");
    }

    private static DomainEvent like(UUID id, @Nullable String actorId, @Nullable String actorName, String productId) {
        return new DomainEvent(
                id,
                1,
                "product_like",
                "shop",
                NOW,
                actorId == null ? null : new DomainEvent.Actor(actorId, actorName),
                List.of("owner"),
                new DomainEvent.EventObject(productId, "product", "Red Shoes"),
                Map.of("color", "red"),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                null,
                null);
    }

    @Test
    void theConfigurationContractBindsByItsNamesWithDefaults() {
        DigestProperties properties = bind(LIKES);

        assertThat(properties.digests()).hasSize(1);
        DigestProperties.Rule rule = properties.digests().getFirst();
        assertThat(rule.name()).isEqualTo("likes");
        assertThat(rule.types()).containsExactly("product_like", "service_*");
        assertThat(rule.window()).isEqualTo(Duration.ofMinutes(10));
        assertThat(rule.key()).containsExactly("object.id");
        assertThat(rule.title()).isEqualTo("{count} likes on {object.title}");
        assertThat(properties.digest().pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(properties.digest().batchSize()).isEqualTo(500);
        assertThat(bind(Map.of()).digests()).isEmpty();
    }

    @Test
    void badRulesFailAtStartupNamingTheSettingAndTheValue() {
        assertRefused(Map.of("herald.token.digests[0].name", "Likes!"), "name must be 1 to 64 lower-case", "Likes!");
        assertRefused(Map.of("herald.token.digests[0].window", "0s"), "digests[likes].window must be more than 0");
        assertRefused(Map.of("herald.token.digests[0].window", "8d"), "at most 7d");
        assertRefused(
                Map.of("herald.token.digests[0].key", "object.title"),
                "digests[likes].key: object.title is none of object.id, actor.id, data.<name>");
        assertRefused(Map.of("herald.token.digests[0].types", "a*b"), "neither a type nor a prefix");
        assertRefused(Map.of("herald.token.digests[0].body", " "), "digests[likes].body is required");
        assertRefused(Map.of("herald.token.digest.batch-size", "0"), "herald.token.digest.batch-size must be");
        assertRefused(Map.of("herald.token.digest.poll-interval", "-1s"), "herald.token.digest.poll-interval must");
        var twice = new java.util.HashMap<>(LIKES);
        LIKES.forEach((k, v) -> twice.put(k.replace("[0]", "[1]"), v));
        assertThatThrownBy(() -> bind(twice))
                .isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageContaining("two rules are named likes");
    }

    private static void assertRefused(Map<String, String> change, String... message) {
        var properties = new java.util.HashMap<>(LIKES);
        properties.putAll(change);
        var refused = assertThatThrownBy(() -> bind(properties))
                .isInstanceOf(BindException.class)
                .rootCause();
        for (String part : message) {
            refused.hasMessageContaining(part);
        }
    }

    @Test
    void keyDataAndActorParts() {
        DomainEvent event = like(UUID.randomUUID(), "u1", "Ann Lee", "p1");

        assertThat(Digests.key(rule(List.of()), event)).isEqualTo("[]");
        assertThat(Digests.key(rule(List.of("object.id")), event)).isEqualTo("[\"p1\"]");
        assertThat(Digests.key(rule(List.of("object.id", "actor.id", "data.color", "data.size")), event))
                .isEqualTo("[\"p1\",\"u1\",\"red\",\"\"]");
        // No actor, no object: empty values, still one key.
        DomainEvent bare = like(UUID.randomUUID(), null, null, "p1");
        assertThat(Digests.key(rule(List.of("actor.id")), bare)).isEqualTo("[\"\"]");
    }

    @Test
    void firstNamesAreTheDisplayNamesFirstWordElseTheId() {
        assertThat(Digests.firstName(new DomainEvent.Actor("u1", "Ann Marie Lee")))
                .isEqualTo("Ann");
        assertThat(Digests.firstName(new DomainEvent.Actor("u1", "  Bob "))).isEqualTo("Bob");
        assertThat(Digests.firstName(new DomainEvent.Actor("u1", null))).isEqualTo("u1");
        assertThat(Digests.firstName(new DomainEvent.Actor("u1", " "))).isEqualTo("u1");
    }

    @Test
    void actorsNameUpToThreeThenTwoAndOthers() {
        assertThat(Digests.actors(List.of(), 0)).isEqualTo("Someone");
        assertThat(Digests.actors(List.of("Ann"), 1)).isEqualTo("Ann");
        assertThat(Digests.actors(List.of("Ann", "Bob"), 2)).isEqualTo("Ann and Bob");
        assertThat(Digests.actors(List.of("Ann", "Bob", "Carl"), 3)).isEqualTo("Ann, Bob and Carl");
        assertThat(Digests.actors(List.of("Ann", "Bob", "Carl"), 4)).isEqualTo("Ann, Bob and 2 others");
        assertThat(Digests.actors(List.of("Ann", "Bob", "Carl"), 5)).isEqualTo("Ann, Bob and 3 others");
    }

    @Test
    void fillTakesCountActorsAndTheLastEventsFieldsInOnePass() {
        DomainEvent last = like(UUID.randomUUID(), "u9", "{count} Zed", "p1");

        assertThat(Digests.fill("{count} likes on {object.title}", last, 5, "Ann and Bob"))
                .isEqualTo("5 likes on Red Shoes");
        assertThat(Digests.fill(
                        "{actors} liked {object} ({object.id}, {data.color}, {actor}, {unknown})", last, 5, "X"))
                .isEqualTo("X liked Red Shoes (p1, red, {count} Zed, {unknown})");
    }

    @Test
    void theDigestIsTheLastEventForItsRecipientUnderTheWindowsIdWithTheRulesWords() {
        var rule = new DigestProperties.Rule(
                "likes",
                List.of("product_like"),
                Duration.ofMinutes(10),
                List.of("object.id"),
                "{count} likes",
                "{actors} liked {object.title}");
        DomainEvent last = like(UUID.randomUUID(), "u3", "Carl", "p1");
        var window = new Digests.Window("shop", "likes", "owner", "[\"p1\"]");
        UUID id = Digests.digestId(window, NOW);
        var closed = new Digests.Closed(id, "shop", "likes", "owner", last);

        DomainEvent digest = Digests.digest(closed, new Digests.Tally(4, 3, List.of("Ann", "Bob", "Carl")), rule);

        assertThat(digest.eventId()).isEqualTo(id).isNotEqualTo(last.eventId());
        assertThat(digest.recipients()).containsExactly("owner");
        assertThat(digest.type()).isEqualTo("product_like");
        assertThat(digest.source()).isEqualTo("shop");
        assertThat(digest.title()).isEqualTo("4 likes");
        assertThat(digest.body()).isEqualTo("Ann, Bob and Carl liked Red Shoes");
        assertThat(digest.object()).isEqualTo(last.object());
        assertThat(digest.data())
                .containsEntry("color", "red")
                .containsEntry(Digests.DIGEST_KEY, "likes")
                .containsEntry(Digests.COUNT_KEY, "4");
        // Stable: every instance and every retry names the window alike; another opening is another digest.
        assertThat(Digests.digestId(new Digests.Window("shop", "likes", "owner", "[\"p1\"]"), NOW))
                .isEqualTo(id);
        assertThat(Digests.digestId(window, NOW.plusMillis(1))).isNotEqualTo(id);
        assertThat(Digests.digestId(new Digests.Window("shop", "likes", "owner", "[\"p2\"]"), NOW))
                .isNotEqualTo(id);
    }

    @Test
    void onlyNewNotificationsOfARulesTypesForSomeoneElseAreAbsorbed() {
        var digests = new Digests(
                bind(LIKES), new JdbcTemplate(), Clock.systemUTC(), Duration.ofDays(30), new SimpleMeterRegistry());
        DomainEvent like = like(UUID.randomUUID(), "u1", "Ann", "p1");

        assertThat(digests.ruleOf(like)).isNotNull();
        assertThat(digests.ruleOf(withType(like, "service_like"))).isNotNull();
        assertThat(digests.ruleOf(withType(like, "chat"))).isNull();
        // Only the actor as recipient: routed (and skipped there as one's own action).
        assertThat(digests.ruleOf(like.withRecipients(List.of("u1")))).isNull();
        DomainEvent digest = Digests.digest(
                new Digests.Closed(UUID.randomUUID(), "shop", "likes", "owner", like),
                new Digests.Tally(1, 1, List.of("Ann")),
                digests.ruleOf(like));
        assertThat(digests.ruleOf(digest))
                .as("a digest is never absorbed again")
                .isNull();
        assertThat(digests.ruleOf(silent(like))).isNull();
        assertThat(digests.ruleOf(withdrawal(like))).isNull();
        // No rule: nothing is absorbed, and the poll's list is given back as it is, without a statement.
        var none = new Digests(
                bind(Map.of()), new JdbcTemplate(), Clock.systemUTC(), Duration.ofDays(30), new SimpleMeterRegistry());
        List<DomainEvent> poll = List.of(like);
        assertThat(none.absorb(poll)).isSameAs(poll);
        assertThat(digests.absorb(List.of(withType(like, "chat")))).hasSize(1);
    }

    private static DomainEvent withType(DomainEvent e, String type) {
        return new DomainEvent(
                e.eventId(),
                1,
                type,
                e.source(),
                e.occurredAt(),
                e.actor(),
                e.recipients(),
                e.object(),
                e.data(),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                null,
                null);
    }

    private static DomainEvent silent(DomainEvent e) {
        return new DomainEvent(
                e.eventId(),
                1,
                e.type(),
                e.source(),
                e.occurredAt(),
                e.actor(),
                e.recipients(),
                e.object(),
                e.data(),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                true,
                null,
                null,
                null,
                null);
    }

    private static DomainEvent withdrawal(DomainEvent e) {
        return new DomainEvent(
                e.eventId(),
                1,
                e.type(),
                e.source(),
                e.occurredAt(),
                e.actor(),
                e.recipients(),
                e.object(),
                e.data(),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                new Change(Change.Kind.WITHDRAW, UUID.randomUUID(), null),
                null,
                null,
                null);
    }
}
