package io.herald.token.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.events.Platform;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.events.Topics;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.token.ServiceStubs;
import io.herald.token.TestTopics;
import io.herald.token.TokenApplication;
import io.herald.token.TokenServiceClient;
import io.herald.token.devices.ActiveDevice;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Digests through the real broker and database: likes of a product within a window make one push and one in-app
 * notification when it closes, none before; the delivery log shows each absorbed event as {@code digested} naming the
 * digest, and the digest's log lists what it absorbed; a type with no rule is delivered at once; an event read again
 * is counted once; an open window survives a restart; two instances route each digest once. In order: one instance
 * for the first two tests, a restart in the second, a second instance in the third. Windows of 4 s.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DigestIT {

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("token_digest");

    static final TestTopics topics = new TestTopics(infra.bootstrapServers());
    static final ServiceStubs stubs = ServiceStubs.start();
    static final List<ConfigurableApplicationContext> instances = new ArrayList<>();
    static final String owner = "olga-" + UUID.randomUUID();

    @BeforeAll
    static void startOne() {
        new TokenServiceClient(port(start("one"))).register(owner, "olga-phone-" + UUID.randomUUID());
    }

    private static ConfigurableApplicationContext start(String name) {
        List<String> arguments = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.kafka.consumer.properties.session.timeout.ms=6000",
                "--spring.kafka.consumer.properties.heartbeat.interval.ms=1000",
                "--herald.token.digests[0].name=likes",
                "--herald.token.digests[0].types=product_like",
                "--herald.token.digests[0].window=4s",
                "--herald.token.digests[0].key=object.id",
                "--herald.token.digests[0].title={count} likes on {object.title}",
                "--herald.token.digests[0].body={actors} liked your product",
                // Digests go through frequency caps as any event (one far from reached here).
                "--herald.token.frequency-caps[0].name=likes",
                "--herald.token.frequency-caps[0].types=product_like",
                "--herald.token.frequency-caps[0].max=1000",
                "--herald.token.frequency-caps[0].per=1d",
                "--herald.token.digest.poll-interval=200ms",
                // small batches, so that two instances both take some of the closed windows
                "--herald.token.digest.batch-size=5",
                "--spring.application.name=token-service-" + name));
        stubs.register((property, value) -> arguments.add("--" + property + "=" + value.get()));
        ConfigurableApplicationContext context =
                TokenApplication.application().run(infra.arguments(arguments.toArray(String[]::new)));
        instances.add(context);
        return context;
    }

    private static int port(ConfigurableApplicationContext context) {
        return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    @AfterAll
    static void stop() {
        instances.forEach(ConfigurableApplicationContext::close);
        topics.close();
        stubs.close();
    }

    @Test
    @Order(1)
    void likesWithinAWindowMakeOneDigestPerProductAfterItAndTheLogShowsWhatItAbsorbed() {
        String shoes = "shoes-" + UUID.randomUUID();
        String hat = "hat-" + UUID.randomUUID();
        UUID ann = UUID.randomUUID();
        topics.publish(ann, like(ann, "ann", "Ann Lee", shoes, "Red Shoes"));
        topics.awaitRouted();
        UUID bob = UUID.randomUUID();
        UUID carl = UUID.randomUUID();
        UUID dan = UUID.randomUUID();
        UUID chat = UUID.randomUUID();
        // Ann's like read again (a redelivery, in another poll): counted once.
        topics.publish(ann, like(ann, "ann", "Ann Lee", shoes, "Red Shoes"));
        topics.publish(bob, like(bob, "bob", "Bob", shoes, "Red Shoes"));
        topics.publish(carl, like(carl, "carl", null, shoes, "Red Shoes"));
        topics.publish(dan, like(dan, "dan", "Dan", hat, "Blue Hat"));
        topics.publish(chat, """
                {"eventId":"%s","schemaVersion":1,"type":"chat","source":"shop","occurredAt":"2026-12-07T10:00:00Z",
                 "actor":{"id":"ann"},"recipients":["%s"],"data":{"message":"hi"}}
                """.formatted(chat, owner));
        topics.awaitRouted();

        // A type with no rule: delivered at once. The likes: nothing yet, their windows open.
        assertThat(topics.pushesOf(chat)).hasSize(1);
        Instant closes = firstClosing();
        assertThat(Instant.now()).as("checked before the window closed").isBefore(closes);
        assertThat(digestPushes()).isEmpty();
        for (UUID like : List.of(ann, bob, carl, dan)) {
            assertThat(topics.pushesOf(like)).isEmpty();
            assertThat(topics.inAppOf(like)).isEmpty();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> digestPushes().size() == 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> windows() == 0);
        topics.recordsToEnd();
        Map<String, PushDelivery> byProduct =
                digestPushes().stream().collect(Collectors.toMap(p -> p.data().get("object_id"), p -> p));
        PushDelivery shoesDigest = byProduct.get(shoes);
        assertThat(shoesDigest.userId()).isEqualTo(owner);
        assertThat(shoesDigest.title()).isEqualTo("3 likes on Red Shoes");
        // Events are keyed by their ids: Bob's and Carl's may arrive in either order (partitions); Ann's came first.
        assertThat(shoesDigest.body())
                .isIn("Ann, Bob and carl liked your product", "Ann, carl and Bob liked your product");
        assertThat(shoesDigest.data()).containsEntry("herald.digest", "likes").containsEntry("herald.digestCount", "3");
        assertThat(Instant.ofEpochMilli(pushRecordTime(shoesDigest))).isAfterOrEqualTo(closes);
        assertThat(byProduct.get(hat).title()).isEqualTo("1 likes on Blue Hat");
        assertThat(byProduct.get(hat).body()).isEqualTo("Dan liked your product");
        UUID digestId = shoesDigest.eventId();
        List<InAppNotification> inbox = topics.inAppOf(digestId);
        assertThat(inbox).hasSize(1);
        assertThat(inbox.getFirst().title()).isEqualTo("3 likes on Red Shoes");
        assertThat(inbox.getFirst().userId()).isEqualTo(owner);

        // The log: each absorbed like names its digest; the digest shows its deliveries and what it absorbed.
        stubs.sent(shoesDigest, "sent", null, Instant.now());
        stubs.stored(inbox.getFirst(), Instant.now(), null);
        var api = new TokenServiceClient(port(instances.getFirst()));
        for (UUID like : List.of(ann, bob, carl)) {
            JsonNode log = ok(api.get("/internal/v1/events/" + like + "/deliveries?source=shop"));
            assertThat(log.path("source").asString()).isEqualTo("shop");
            assertThat(log.path("deliveries")).hasSize(1);
            JsonNode entry = log.path("deliveries").get(0);
            assertThat(entry.path("userId").asString()).isEqualTo(owner);
            assertThat(entry.path("outcome").asString()).isEqualTo("digested");
            assertThat(entry.path("reason").asString()).isEqualTo("digest:" + digestId);
        }
        JsonNode digestLog = ok(api.get("/internal/v1/events/" + digestId + "/deliveries?source=shop"));
        assertThat(digestLog.path("source").asString()).isEqualTo("shop");
        List<String> outcomes = new ArrayList<>();
        digestLog
                .path("deliveries")
                .forEach(d -> outcomes.add(
                        d.path("channel").asString() + ":" + d.path("outcome").asString()));
        assertThat(outcomes).containsExactlyInAnyOrder("push:sent", "inapp:stored");
        List<String> absorbed = new ArrayList<>();
        digestLog.path("absorbed").forEach(id -> absorbed.add(id.asString()));
        assertThat(absorbed).hasSize(3).first().isEqualTo(ann.toString());
        assertThat(absorbed).containsExactlyInAnyOrder(ann.toString(), bob.toString(), carl.toString());
        // Another app asking: none of its events.
        assertThat(api.get("/internal/v1/events/" + digestId + "/deliveries?source=other")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    @Order(2)
    void aWindowOpenWhileTokenServiceRestartsIsDigestedAfterItWithAllItsEvents() {
        String product = "lamp-" + UUID.randomUUID();
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        topics.publish(first, like(first, "eve", "Eve", product, "Lamp"));
        topics.publish(second, like(second, "fay", "Fay", product, "Lamp"));
        topics.awaitRouted();
        assertThat(windows()).isEqualTo(1);

        instances.removeFirst().close();
        start("one-again");

        await().atMost(Duration.ofSeconds(60))
                .until(() -> digestPushes().stream()
                        .anyMatch(p -> product.equals(p.data().get("object_id"))));
        await().atMost(Duration.ofSeconds(30)).until(() -> windows() == 0);
        topics.recordsToEnd();
        List<PushDelivery> digests = digestPushes().stream()
                .filter(p -> product.equals(p.data().get("object_id")))
                .toList();
        assertThat(digests).hasSize(1);
        assertThat(digests.getFirst().title()).isEqualTo("2 likes on Lamp");
        assertThat(digests.getFirst().body()).isIn("Eve and Fay liked your product", "Fay and Eve liked your product");
    }

    @Test
    @Order(3)
    void twoInstancesRouteEachDigestOnce() {
        start("two");
        List<String> products = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String product = "p" + i + "-" + UUID.randomUUID();
            products.add(product);
            for (String actor : List.of("gil", "hal")) {
                UUID id = UUID.randomUUID();
                topics.publish(id, like(id, actor, null, product, "Thing " + i));
            }
        }
        topics.awaitRouted();

        await().atMost(Duration.ofSeconds(60)).until(() -> digestsOf(products).size() == products.size());
        await().atMost(Duration.ofSeconds(30)).until(() -> windows() == 0);
        topics.recordsToEnd();
        List<PushDelivery> digests = digestsOf(products);
        assertThat(digests).hasSize(products.size());
        assertThat(digests.stream().map(p -> p.data().get("object_id"))).containsExactlyInAnyOrderElementsOf(products);
        assertThat(digests).allSatisfy(p -> {
            assertThat(p.title()).startsWith("2 likes on Thing ");
            assertThat(p.body()).isIn("gil and hal liked your product", "hal and gil liked your product");
        });
        assertThat(digests.stream().map(PushDelivery::eventId).distinct()).hasSize(products.size());
    }

    /**
     * Caps count within the transaction of a poller that routes digests (or due events): rolled back with it, and
     * never committing its work half done (which ended its savepoints and committed its claimed windows early).
     */
    @Test
    @Order(4)
    void capsCountedInAPollersTransactionAreRolledBackWithIt() {
        ConfigurableApplicationContext context = instances.getFirst();
        FrequencyCaps caps = context.getBean(FrequencyCaps.class);
        var transactions = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
        String fan = "fan-" + UUID.randomUUID();
        UUID eventId = UUID.randomUUID();
        DomainEvent like = HeraldJson.mapper()
                .readValue(like(eventId, "ivy", "Ivy", "vase", "Vase"), DomainEvent.class)
                .withRecipients(List.of(fan));
        var device = new ActiveDevice(UUID.randomUUID(), fan, Provider.FCM, "t-" + fan, Platform.ANDROID, "en");
        var router = new Router(new Templates(Map.of()));
        Instant now = Instant.now();

        transactions.executeWithoutResult(status -> {
            caps.apply(List.of(like), e -> router.plan(e, Map.of(fan, List.of(device)), Map.of(), now), now);
            status.setRollbackOnly();
        });

        assertThat(jdbc().sql("select count(*) from token.capped_notifications where user_id = ?")
                        .param(fan)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    /** Absorbed events are kept as long as the delivery log keeps its entries (30 days here), then pruned. */
    @Test
    @Order(5)
    void absorbedEventsArePrunedWithTheDeliveryLogsRetention() {
        long members = jdbc().sql("select count(*) from token.digest_members")
                .query(Long.class)
                .single();
        UUID old = jdbc().sql("select digest_id from token.digest_members limit 1")
                .query(UUID.class)
                .single();
        int aged = jdbc().sql("update token.digest_members set absorbed_at = now() - interval '31 days'"
                        + " where digest_id = ?")
                .param(old)
                .update();
        assertThat(aged).isPositive();

        int pruned = instances.getFirst().getBean(Digests.class).prune();

        assertThat(pruned).isEqualTo(aged);
        assertThat(jdbc().sql("select count(*) from token.digest_members")
                        .query(Long.class)
                        .single())
                .isEqualTo(members - aged);
    }

    private static List<PushDelivery> digestsOf(List<String> products) {
        return digestPushes().stream()
                .filter(p -> products.contains(p.data().get("object_id")))
                .toList();
    }

    /** The digests pushed so far. */
    private static List<PushDelivery> digestPushes() {
        return topics.records().stream()
                .filter(r -> r.topic().equals(Topics.PUSH))
                .map(r -> HeraldJson.mapper().readValue(r.value(), PushDelivery.class))
                .filter(p -> p.data().containsKey("herald.digest"))
                .toList();
    }

    private static long pushRecordTime(PushDelivery push) {
        return topics.records().stream()
                .filter(r -> r.topic().equals(Topics.PUSH))
                .filter(r -> HeraldJson.mapper()
                        .readValue(r.value(), PushDelivery.class)
                        .deliveryId()
                        .equals(push.deliveryId()))
                .findFirst()
                .orElseThrow()
                .timestamp();
    }

    /**
     * An event waiting to be routed is known to its log: its parts waiting, until cancelled (before, nothing was
     * known of it, a 404, until it was due).
     */
    @Test
    @Order(6)
    void aScheduledEventsLogShowsItWaitingUntilItIsCancelled() {
        UUID later = UUID.randomUUID();
        Instant due = Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String like = like(later, "eve", "Eve", "lamp-" + UUID.randomUUID(), "Lamp");
        topics.publish(later, like.replace("\"recipients\"", "\"deliverAt\":\"" + due + "\",\"recipients\""));
        topics.awaitRouted();
        var api = new TokenServiceClient(port(instances.getFirst()));
        String log = "/internal/v1/events/" + later + "/deliveries?source=";

        JsonNode waiting = ok(api.get(log + "shop"));
        HttpResponse<String> otherApp = api.get(log + "chat");
        HttpResponse<String> cancel = api.delete("/internal/v1/events/" + later + "/schedule?source=shop");
        HttpResponse<String> afterCancel = api.get(log + "shop");

        assertThat(waiting.path("source").asString()).isEqualTo("shop");
        assertThat(waiting.path("deliveries")).isEmpty();
        assertThat(waiting.path("waiting")).hasSize(1);
        assertThat(waiting.path("waiting").get(0).path("kind").asString()).isEqualTo("scheduled");
        assertThat(waiting.path("waiting").get(0).path("recipients").asInt()).isEqualTo(1);
        assertThat(Instant.parse(
                        waiting.path("waiting").get(0).path("deliverAt").asString()))
                .isEqualTo(due);
        assertThat(otherApp.statusCode()).isEqualTo(404);
        assertThat(cancel.statusCode()).isEqualTo(204);
        assertThat(afterCancel.statusCode()).isEqualTo(404);
    }

    private static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TokenServiceClient.json(response);
    }

    private static JdbcClient jdbc() {
        return instances.getFirst().getBean(JdbcClient.class);
    }

    /** Open windows (and closed ones not yet routed). */
    private static long windows() {
        return jdbc().sql("select count(*) from token.digest_windows")
                .query(Long.class)
                .single();
    }

    private static Instant firstClosing() {
        return jdbc().sql("select min(closes_at) from token.digest_windows")
                .query(Timestamp.class)
                .single()
                .toInstant();
    }

    private static String like(UUID eventId, String actor, @Nullable String actorName, String productId, String title) {
        String name = actorName == null ? "" : ",\"displayName\":\"" + actorName + "\"";
        return """
                {"eventId":"%s","schemaVersion":1,"type":"product_like","source":"shop",
                 "occurredAt":"%s","actor":{"id":"%s"%s},"recipients":["%s"],
                 "object":{"id":"%s","kind":"product","title":"%s"}}
                """.formatted(eventId, Instant.now(), actor, name, owner, productId, title);
    }
}
