package io.herald.dispatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.herald.dispatch.TestDeliveries;
import io.herald.events.Badge;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.spring.web.InternalApiProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code badge: "unread"} resolved through ws-fanout's internal API, here a real HTTP server on loopback that
 * answers as ws-fanout does: the count, plus one when the notification goes to the inbox and is not stored yet; no
 * badge (and a count of why) when it does not answer in time, answers an error, or no secret is configured.
 */
class UnreadBadgesTest {

    static final String SECRET = "s".repeat(32);

    /** One request the stub got. */
    record Asked(String rawPath, String rawQuery, @Nullable String token) {}

    HttpServer server;
    final List<Asked> asked = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    volatile int status = 200;
    volatile String answer = "{\"unread\":4,\"stored\":false}";
    volatile boolean hang;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/internal/inbox/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        asked.add(new Asked(
                exchange.getRequestURI().getRawPath(),
                exchange.getRequestURI().getRawQuery(),
                exchange.getRequestHeaders().getFirst(InternalApiProperties.HEADER)));
        if (hang) {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    /** With a timeout a cold JVM's first request meets: its own test times out on purpose. */
    private UnreadBadges badges(@Nullable String secret) {
        return badges(secret, Duration.ofSeconds(5));
    }

    private UnreadBadges badges(@Nullable String secret, Duration timeout) {
        return new UnreadBadges(
                new UnreadBadgeProperties(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort()), timeout),
                new InternalApiProperties(secret),
                meters);
    }

    private static PushDelivery unread(String user, String token, boolean inApp) {
        PushDelivery d = TestDeliveries.with(TestDeliveries.like(user, token, Provider.FCM), "badge", "unread");
        return TestDeliveries.with(d, "inApp", inApp);
    }

    private double unresolved(String reason) {
        var counter = meters.find("herald.dispatch.unread-badge.unresolved")
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void theCountCountsANotificationForTheInboxNotStoredYet() {
        PushDelivery delivery = unread("auth0|a/b.c", "tok-1", true);

        List<PushDelivery> resolved = badges(SECRET).resolve(List.of(delivery));

        assertThat(resolved.getFirst().badge()).isEqualTo(Badge.of(5));
        assertThat(asked).hasSize(1);
        assertThat(asked.getFirst().rawPath()).isEqualTo("/internal/inbox/auth0%7Ca%2Fb%2Ec/unread");
        assertThat(asked.getFirst().rawQuery()).isEqualTo("notificationId=" + delivery.notificationId());
        assertThat(asked.getFirst().token()).isEqualTo(SECRET);
    }

    @Test
    void aStoredNotificationOrOneNotForTheInboxIsNotCountedTwice() {
        answer = "{\"unread\":4,\"stored\":true}";
        assertThat(badges(SECRET)
                        .resolve(List.of(unread("u1", "tok-1", true)))
                        .getFirst()
                        .badge())
                .isEqualTo(Badge.of(4));

        answer = "{\"unread\":4,\"stored\":false}";
        assertThat(badges(SECRET)
                        .resolve(List.of(unread("u1", "tok-1", false)))
                        .getFirst()
                        .badge())
                .isEqualTo(Badge.of(4));
    }

    @Test
    void aUsersDevicesShareOneLookupAndOtherDeliveriesAreLeftAlone() {
        PushDelivery phone = unread("u1", "tok-phone", true);
        PushDelivery tablet = TestDeliveries.with(phone, "token", "tok-tablet");
        PushDelivery fixed = TestDeliveries.with(TestDeliveries.like("u2", "tok-2", Provider.FCM), "badge", 2);
        PushDelivery silent =
                TestDeliveries.with(TestDeliveries.silent("u3", "tok-3", Provider.FCM), "badge", "unread");

        List<PushDelivery> resolved = badges(SECRET).resolve(List.of(phone, fixed, tablet, silent));

        assertThat(resolved)
                .extracting(PushDelivery::badge)
                .containsExactly(Badge.of(5), Badge.of(2), Badge.of(5), Badge.UNREAD);
        assertThat(resolved)
                .extracting(PushDelivery::token)
                .containsExactly("tok-phone", "tok-2", "tok-tablet", "tok-3");
        assertThat(asked).hasSize(1);
    }

    @Test
    void aSlowWsFanoutCostsAtMostTheTimeoutAndThePushGoesWithoutABadge() {
        hang = true;
        long started = System.nanoTime();

        List<PushDelivery> resolved =
                badges(SECRET, Duration.ofMillis(300)).resolve(List.of(unread("u1", "tok-1", true)));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(resolved.getFirst().badge()).isNull();
        assertThat(unresolved("timeout")).isEqualTo(1);
    }

    @Test
    void anErrorAnswerOrAnUnreachableWsFanoutSendsWithoutABadge() {
        status = 500;
        answer = "{\"type\":\"about:blank\",\"status\":500}";
        assertThat(badges(SECRET)
                        .resolve(List.of(unread("u1", "tok-1", true)))
                        .getFirst()
                        .badge())
                .isNull();
        assertThat(unresolved("status")).isEqualTo(1);

        server.stop(0);
        assertThat(badges(SECRET)
                        .resolve(List.of(unread("u1", "tok-1", true)))
                        .getFirst()
                        .badge())
                .isNull();
        assertThat(unresolved("error") + unresolved("timeout")).isEqualTo(1);
    }

    @Test
    void withoutTheInternalSecretNothingIsAskedAndThePushGoesWithoutABadge() {
        List<PushDelivery> resolved = badges(null).resolve(List.of(unread("u1", "tok-1", true)));

        assertThat(resolved.getFirst().badge()).isNull();
        assertThat(asked).isEmpty();
        assertThat(unresolved("not-configured")).isEqualTo(1);
    }
}
