package io.herald.bench;

import io.herald.events.Ids;
import io.herald.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.convert.DurationStyle;

/**
 * Benchmark {@code digest} (issue #25): {@code BENCH_DIGEST_EVENTS} likes (default 100,000; {@code product_like},
 * each from an actor of its own) of {@code BENCH_DIGEST_PRODUCTS} products (default 1,000; {@code object.id} {@code
 * product-<k>}), each like for the product's owner ({@code owner-<k>}, one FCM device each), all within one digest
 * window ({@code BENCH_DIGEST_WINDOW}, default {@code 3m}; the rule {@code likes}: type {@code product_like}, key
 * {@code object.id}). Figures: the notifications the owners got (pushes at the FCM emulator once the windows
 * closed: one a product, 1,000), and the events token-service absorbed a second, from the first publish until the
 * router's group ({@code herald-token-router}) had committed every event.
 *
 * <p>The whole of Herald runs as in production ({@link PipelineStack}: every service a JVM of its own, PostgreSQL
 * durable), token-service with the digest rule. The peer, in the same run: token-service restarted without the rule
 * and the same events (new ids) published again, each then routed at once to its owner (a push each): events routed
 * a second, measured the same way.
 */
final class DigestBench {

    private static final String BENCH = "digest";
    private static final String ROUTER = "herald-token-router";
    private static final List<String> NAMES =
            List.of("Ann", "Bob", "Chloé", "Dmitri", "Emma", "Farid", "Grace", "Hiro", "Inès", "Jonas");

    private DigestBench() {}

    static void run() throws Exception {
        int events = Env.integer("BENCH_DIGEST_EVENTS", 100_000);
        int products = Env.integer("BENCH_DIGEST_PRODUCTS", 1_000);
        String windowSetting = Env.setting("BENCH_DIGEST_WINDOW", "3m").trim();
        Duration window = DurationStyle.detectAndParse(windowSetting);
        Map<String, String> rule = new LinkedHashMap<>();
        rule.put("herald.token.digests[0].name", "likes");
        rule.put("herald.token.digests[0].types", "product_like");
        rule.put("herald.token.digests[0].window", windowSetting);
        rule.put("herald.token.digests[0].key", "object.id");
        rule.put("herald.token.digests[0].title", "{count} likes");
        rule.put("herald.token.digests[0].body", "{actors} liked your product");
        rule.put("herald.token.digest.poll-interval", "1s");
        PipelineSettings settings = PipelineSettings.fromEnvironment();
        try (var stack = PipelineStack.start(settings, new PipelineStack.Layout(1, rule, false));
                var groups = new Bookkeeping(stack.bootstrapServers())) {
            BulkSetUp.fcmDevices(stack.db(), products, DigestBench::owner);
            BenchPostgres.checkDurable(stack.db(), "at the start");
            var props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
                var fcm = stack.emulators().fcm();

                // Digested: every like absorbed into its product's digest, one notification a product at the end.
                groups.awaitStable(ROUTER);
                fcm.clear();
                Instant firstPublish = Instant.now();
                double digestedSeconds = publishAndAbsorb(producer, groups, events, products);
                double digested = events / digestedSeconds;
                System.out.printf(
                        Locale.ROOT,
                        "digested: %d events absorbed in %.1f s, %.0f/s; pushes before the windows close: %d%n",
                        events,
                        digestedSeconds,
                        digested,
                        fcm.receivedCount());
                if (digestedSeconds >= window.toSeconds()) {
                    System.out.println("  warning: absorbing took longer than the window: the later events open"
                            + " second windows; give a longer BENCH_DIGEST_WINDOW");
                }
                long notifications = awaitNotifications(stack, firstPublish.plus(window), products);
                System.out.printf("digested: %d notifications once the windows closed%n", notifications);

                // The peer: the same events with no digest rule, each routed at once.
                stack.restartTokenServices(1, Map.of());
                groups.awaitStable(ROUTER);
                groups.awaitCaughtUp(Duration.ofMinutes(10));
                fcm.clear();
                double undigestedSeconds = publishAndAbsorb(producer, groups, events, products);
                double undigested = events / undigestedSeconds;
                System.out.printf(
                        Locale.ROOT,
                        "undigested: %d events routed in %.1f s, %.0f/s (%.2f of it digested)%n",
                        events,
                        undigestedSeconds,
                        undigested,
                        digested / undigested);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
                while (fcm.receivedCount() < events && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(200);
                }
                System.out.printf("undigested: %d pushes at the FCM emulator%n", fcm.receivedCount());
                BenchPostgres.checkDurable(stack.db(), "at the end");
                report(events, products, window, notifications, digested, undigested);
            }
        }
    }

    /** Publishes the likes at once; seconds from the first publish until the router's group committed them all. */
    private static double publishAndAbsorb(
            KafkaProducer<String, byte[]> producer, Bookkeeping groups, int events, int products)
            throws InterruptedException {
        long began = System.nanoTime();
        for (int i = 0; i < events; i++) {
            producer.send(new ProducerRecord<>(Topics.EVENTS, like(i, i % products)));
        }
        producer.flush();
        long deadline = began + TimeUnit.MINUTES.toNanos(15);
        while (groups.lagOf(ROUTER, Topics.EVENTS) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the router did not absorb " + events + " events in 15 minutes");
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return (System.nanoTime() - began) / 1e9;
    }

    /**
     * Waits until the windows closed ({@code closed}) and then until no push came for 10 s (or 10 minutes after
     * {@code closed}); the pushes at the FCM emulator.
     */
    private static long awaitNotifications(PipelineStack stack, Instant closed, int products)
            throws InterruptedException {
        var fcm = stack.emulators().fcm();
        while (Instant.now().isBefore(closed)) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        Instant deadline = closed.plus(Duration.ofMinutes(10));
        long count = fcm.receivedCount();
        Instant changed = Instant.now();
        while (Instant.now().isBefore(deadline)) {
            TimeUnit.MILLISECONDS.sleep(200);
            long now = fcm.receivedCount();
            if (now != count) {
                count = now;
                changed = Instant.now();
            } else if (count >= products
                    && Duration.between(changed, Instant.now()).toSeconds() >= 10) {
                break;
            }
        }
        return count;
    }

    private static void report(
            int events, int products, Duration window, long notifications, double digested, double undigested) {
        var results = new Results(
                Env.root().resolve("RESULTS.md"),
                Results.command(BENCH, List.of("BENCH_DIGEST_EVENTS", "BENCH_DIGEST_PRODUCTS", "BENCH_DIGEST_WINDOW")));
        String what = events + " product_like events of " + products + " products (an owner each, one FCM device),"
                + " one digest window of " + window.toSeconds() + " s, key object.id";
        results.row(
                BENCH,
                "notifications",
                notifications,
                "pushes at the FCM emulator once the windows closed, " + what,
                "products (one digest each)",
                products);
        results.row(
                BENCH,
                "events-per-s",
                digested,
                "events token-service absorbed a second, from the first publish until the router's group committed"
                        + " them all, " + what + "; " + BenchPostgres.DURABLE,
                "the same events undigested (no rule), routed/s",
                undigested);
    }

    static String owner(int product) {
        return "owner-" + product;
    }

    /** Like {@code i}, by {@code actor-<i>}, of {@code product-<product>}, for its owner. */
    private static byte[] like(int i, int product) {
        return ("{\"eventId\":\"" + Ids.newEventId() + "\",\"schemaVersion\":1,\"type\":\"product_like\","
                        + "\"source\":\"bench\",\"occurredAt\":\"" + Instant.now() + "\","
                        + "\"actor\":{\"id\":\"actor-" + i + "\",\"displayName\":\"" + NAMES.get(i % NAMES.size())
                        + "\"},"
                        + "\"recipients\":[\"" + owner(product) + "\"],"
                        + "\"object\":{\"id\":\"product-" + product + "\",\"kind\":\"product\",\"title\":\"Bike "
                        + product + "\"},"
                        + "\"data\":{\"productId\":\"product-" + product + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
