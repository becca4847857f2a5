package io.herald.token.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.herald.spring.web.InternalApiProperties;
import io.herald.token.ServiceStubs;
import io.herald.token.TokenServiceClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client of dispatch-service's and ws-fanout-service's internal APIs against real HTTP servers answering by their
 * contract: ids asked a hundred a call with the internal secret, an absent {@code truncated} read as false, and a
 * service down, slow or unconfigured a failure naming it, within the timeout.
 */
class LogServicesTest {

    final ServiceStubs stubs = ServiceStubs.start();
    final LogServices services = client(TokenServiceClient.INTERNAL_SECRET);

    @AfterEach
    void stop() {
        stubs.close();
    }

    @Test
    void eventIdsAreAskedAHundredACallWithTheSecretAndTheAnswersMerged() {
        List<UUID> ids =
                IntStream.range(0, 250).mapToObj(i -> UUID.randomUUID()).toList();
        var push = new ServiceStubs.Push(
                ids.get(200), UUID.randomUUID(), UUID.randomUUID(), "ann", "fcm", "sent", null, 1, Instant.now());
        stubs.pushes.add(push);

        LogServices.Pushes answer = services.pushesOf(ids).join();

        assertThat(answer.deliveries()).singleElement().satisfies(p -> {
            assertThat(p.deliveryId()).isEqualTo(push.deliveryId());
            assertThat(p.outcome()).isEqualTo("sent");
        });
        assertThat(answer.more()).isFalse();
        assertThat(stubs.asked).hasSize(3).allSatisfy(a -> {
            assertThat(a.rawPath()).isEqualTo("/internal/v1/deliveries");
            assertThat(a.rawQuery().split("&", -1)).hasSizeLessThanOrEqualTo(LogServices.MAX_IDS_PER_CALL);
        });
        assertThat(services.inboxOf(ids).join().notifications()).isEmpty();
    }

    @Test
    void aServiceDownSlowOrWithoutTheSecretIsUnavailableNamingIt() {
        stubs.dispatch = ServiceStubs.Mode.DOWN;
        assertThat(failure(() -> services.pushesOf(List.of(UUID.randomUUID())).join()))
                .isEqualTo(LogServices.DISPATCH);

        stubs.fanout = ServiceStubs.Mode.SLOW;
        long start = System.nanoTime();
        assertThat(failure(() ->
                        services.inboxHistory("ann", "shop", 10, null, null).join()))
                .isEqualTo(LogServices.WS_FANOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

        stubs.reset();
        // The stub refuses a wrong secret (401), and no secret at all is not even sent.
        assertThat(failure(() -> client("x".repeat(32))
                        .pushesOf(List.of(UUID.randomUUID()))
                        .join()))
                .isEqualTo(LogServices.DISPATCH);
        assertThat(failure(
                        () -> client(null).inboxOf(List.of(UUID.randomUUID())).join()))
                .isEqualTo(LogServices.WS_FANOUT);
    }

    private static String failure(Runnable call) {
        Throwable thrown = catchThrowable(call::run);
        assertThat(thrown).isInstanceOf(CompletionException.class).hasCauseInstanceOf(LogServices.Unavailable.class);
        return ((LogServices.Unavailable) thrown.getCause()).service();
    }

    private LogServices client(String secret) {
        var urls = new java.util.HashMap<String, String>();
        stubs.register((name, value) -> urls.put(name, value.get().toString()));
        return new LogServices(
                new LogServicesProperties(
                        URI.create(urls.get("herald.token.log.dispatch-url")),
                        URI.create(urls.get("herald.token.log.ws-fanout-url")),
                        Duration.ofMillis(500)),
                new InternalApiProperties(secret));
    }
}
