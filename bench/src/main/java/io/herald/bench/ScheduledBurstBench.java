package io.herald.bench;

import io.herald.events.Ids;
import io.herald.events.Topics;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
import org.jspecify.annotations.Nullable;

/**
 * Benchmark {@code scheduled-burst} (issue #25): {@code BENCH_BURST_EVENTS} events (default 100,000) scheduled
 * ({@code deliverAt}) for the same instant, routed by {@code BENCH_BURST_TOKEN_INSTANCES} token-service JVMs (default
 * two, one consumer group, sharing the due events through {@code token.scheduled_events}); each event for its own
 * recipient with one FCM device. Figure: how late each push reached the FCM emulator after the instant.
 *
 * <p>The whole of Herald runs as in production ({@link PipelineStack}: every service a JVM of its own, PostgreSQL
 * durable). In the same run, first a warm-up of {@code BENCH_BURST_WARMUP_EVENTS} unscheduled events (not measured),
 * then the peer: the same number of events published unscheduled at once, timed from the first publish to each push
 * — what the pipeline takes to drain them, the floor of what any instant can achieve. Then the burst: the instant is
 * chosen {@code BENCH_BURST_LEAD_SECONDS} after the first publish (by default twice the peer's drain and 30 s, at
 * least 60 s), so that publishing and holding every event ends well before it; the bench checks that every event
 * is held ({@code token.scheduled_events}, the router's group caught up) before the instant, and that no push
 * arrives before it.
 */
final class ScheduledBurstBench {

    private static final String BENCH = "scheduled-burst";

    private ScheduledBurstBench() {}

    static void run() throws Exception {
        int events = Env.integer("BENCH_BURST_EVENTS", 100_000);
        int instances = Env.integer("BENCH_BURST_TOKEN_INSTANCES", 2);
        int warmUpEvents = Env.integer("BENCH_BURST_WARMUP_EVENTS", 20_000);
        int leadSetting = Env.integer("BENCH_BURST_LEAD_SECONDS", 0);
        PipelineSettings settings = PipelineSettings.fromEnvironment();
        try (var stack = PipelineStack.start(settings, new PipelineStack.Layout(instances, Map.of(), false))) {
            BulkSetUp.fcmDevices(stack.db(), events, ScheduledBurstBench::user);
            BenchPostgres.checkDurable(stack.db(), "at the start");
            var props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
                    var groups = new Bookkeeping(stack.bootstrapServers())) {
                var fcm = stack.emulators().fcm();

                // Warm-up, not measured: the JIT of every JVM on the routing and dispatching paths.
                fcm.clear();
                Instant warmUpFrom = Instant.now();
                for (int i = 0; i < warmUpEvents; i++) {
                    producer.send(new ProducerRecord<>(Topics.EVENTS, event(i % events, null)));
                }
                producer.flush();
                await(stack, warmUpEvents, Duration.ofMinutes(10));
                System.out.printf(
                        "warm-up: %d unscheduled events in %.1f s%n",
                        warmUpEvents,
                        Duration.between(warmUpFrom, Instant.now()).toMillis() / 1e3);

                // The peer: the same events unscheduled, at once, timed from the first publish.
                fcm.clear();
                Instant unscheduledFrom = Instant.now();
                for (int i = 0; i < events; i++) {
                    producer.send(new ProducerRecord<>(Topics.EVENTS, event(i, null)));
                }
                producer.flush();
                await(stack, events, Duration.ofMinutes(15));
                ScheduledBurst unscheduled = ScheduledBurst.of(unscheduledFrom, arrivals(stack));
                System.out.println("unscheduled, from the first publish: " + unscheduled.describe());
                groups.awaitCaughtUp();

                // The burst: every event for one instant, chosen well after publishing and holding them ends.
                fcm.clear();
                long leadSeconds = leadSetting > 0 ? leadSetting : Math.max(60, (long) (2 * unscheduled.max()) + 30);
                Instant published = Instant.now();
                Instant instant = published.plusSeconds(leadSeconds).truncatedTo(ChronoUnit.SECONDS);
                for (int i = 0; i < events; i++) {
                    producer.send(new ProducerRecord<>(Topics.EVENTS, event(i, instant)));
                }
                producer.flush();
                Instant publishedAll = Instant.now();
                Instant held = awaitHeld(stack, groups, events, instant);
                System.out.printf(
                        "scheduled for %s: published in %.1f s, all %d held %.1f s after the first publish, %.1f s"
                                + " before the instant; pushes so far: %d%n",
                        instant,
                        Duration.between(published, publishedAll).toMillis() / 1e3,
                        events,
                        Duration.between(published, held).toMillis() / 1e3,
                        Duration.between(held, instant).toMillis() / 1e3,
                        fcm.receivedCount());
                await(stack, events, Duration.between(Instant.now(), instant).plusMinutes(15));
                ScheduledBurst burst = ScheduledBurst.of(instant, arrivals(stack));
                System.out.println("scheduled, from the instant: " + burst.describe());
                // Anything more than the events (a push twice) shows after the last one.
                TimeUnit.SECONDS.sleep(5);
                long extra = fcm.receivedCount() - events;
                System.out.printf("pushes beyond one an event, 5 s after the last: %d%n", extra);
                if (extra != 0) {
                    throw new IllegalStateException(extra + " pushes more than the " + events + " events");
                }
                BenchPostgres.checkDurable(stack.db(), "at the end");
                report(events, instances, burst, unscheduled, Duration.between(held, instant));
            }
        }
    }

    private static void report(
            int events, int instances, ScheduledBurst burst, ScheduledBurst unscheduled, Duration margin) {
        var results = new Results(
                Env.root().resolve("RESULTS.md"),
                Results.command(
                        BENCH,
                        List.of(
                                "BENCH_BURST_EVENTS",
                                "BENCH_BURST_TOKEN_INSTANCES",
                                "BENCH_BURST_WARMUP_EVENTS",
                                "BENCH_BURST_LEAD_SECONDS")));
        String what = events + " events scheduled for one instant, " + instances
                + " token-service JVMs, each event one recipient with one FCM device; " + BenchPostgres.DURABLE;
        String peer = "the same events unscheduled, s from the first publish";
        for (double p : new double[] {50, 99}) {
            results.row(
                    BENCH,
                    "p" + (int) p + "-lateness-s",
                    burst.percentile(p),
                    "s from the deliverAt instant to the push at the FCM emulator, " + what,
                    peer + " (p" + (int) p + ")",
                    unscheduled.percentile(p));
        }
        results.row(
                BENCH,
                "max-lateness-s",
                burst.max(),
                "s from the instant to the last push, " + what,
                peer + " to the last push (drained)",
                unscheduled.max());
        results.row(
                BENCH,
                "early-pushes",
                burst.early(),
                "pushes at the FCM emulator before the instant (every event held "
                        + String.format(Locale.ROOT, "%.0f", margin.toMillis() / 1e3)
                        + " s before it)",
                "-",
                0);
    }

    /** Waits until the FCM emulator has kept {@code count} pushes since it was cleared. */
    private static void await(PipelineStack stack, int count, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (stack.emulators().fcm().receivedCount() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "only " + stack.emulators().fcm().receivedCount() + " of " + count + " pushes arrived within "
                                + within);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /**
     * Waits until every event is held in {@code token.scheduled_events} and the router's group has committed past
     * them; when. Fails if that is not before {@code instant} (the run would not measure a burst) or if a push came.
     */
    private static Instant awaitHeld(PipelineStack stack, Bookkeeping groups, int events, Instant instant)
            throws Exception {
        try (Connection c = DriverManager.getConnection(
                        stack.db().jdbcUrl(), stack.db().username(), stack.db().password());
                Statement s = c.createStatement()) {
            while (true) {
                long held;
                try (ResultSet r = s.executeQuery("select count(*) from token.scheduled_events")) {
                    r.next();
                    held = r.getLong(1);
                }
                if (held >= events && groups.lagOf("herald-token-router", Topics.EVENTS) == 0) {
                    return Instant.now();
                }
                if (Instant.now().isAfter(instant) || stack.emulators().fcm().receivedCount() > 0) {
                    throw new IllegalStateException("only " + held + " of " + events
                            + " events held before the instant (or pushes came early): give a longer"
                            + " BENCH_BURST_LEAD_SECONDS");
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not count the held events", e);
        }
    }

    private static List<Instant> arrivals(PipelineStack stack) {
        return stack.emulators().fcm().received().stream()
                .map(r -> r.receivedAt())
                .toList();
    }

    static String user(int i) {
        return "user-" + i;
    }

    /** A like for {@code user-<recipient>}, scheduled for {@code deliverAt} (unscheduled when null). */
    private static byte[] event(int recipient, @Nullable Instant deliverAt) {
        return ("{\"eventId\":\"" + Ids.newEventId() + "\",\"schemaVersion\":1,\"type\":\"product_like\","
                        + "\"source\":\"bench\",\"occurredAt\":\"" + Instant.now() + "\","
                        + (deliverAt == null ? "" : "\"deliverAt\":\"" + deliverAt + "\",")
                        + "\"actor\":{\"id\":\"bench-actor\",\"displayName\":\"Bob\"},"
                        + "\"recipients\":[\"" + user(recipient) + "\"],"
                        + "\"object\":{\"id\":\"p-1\",\"kind\":\"product\",\"title\":\"Red bike\"},"
                        + "\"data\":{\"productId\":\"p-1\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
