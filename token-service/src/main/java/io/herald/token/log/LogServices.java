package io.herald.token.log;

import io.herald.events.HeraldJson;
import io.herald.spring.web.InternalApiProperties;
import io.herald.spring.web.UserIdPaths;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * The client of the two internal APIs the delivery log and the history are composed from: dispatch-service's
 * record of sends ({@code GET /internal/v1/deliveries?eventId=…}) and ws-fanout-service's inbox ({@code GET
 * /internal/v1/inbox/by-event?eventId=…}, {@code GET /internal/v1/inbox/history/{userId}}), each call carrying
 * {@value InternalApiProperties#HEADER}. Asynchronous: a caller starts the calls it needs and joins them. Every
 * answer comes within {@code herald.token.log.timeout} or the future fails with {@link Unavailable} naming the
 * service (no answer in time, refused, an error status, not the answer the contract promises): never a partial
 * answer. Event ids are asked {@value #MAX_IDS_PER_CALL} a call, as the contract allows. Thread-safe.
 */
@Component
@EnableConfigurationProperties(InternalApiProperties.class)
class LogServices {

    static final String DISPATCH = "dispatch-service";
    static final String WS_FANOUT = "ws-fanout-service";

    /** The most {@code eventId} parameters either service takes in one call. */
    static final int MAX_IDS_PER_CALL = 100;

    private static final Logger log = LoggerFactory.getLogger(LogServices.class);

    /**
     * One push delivery as dispatch-service recorded its latest attempt.
     *
     * @param notificationId the notification it carried; null for sends recorded before dispatch kept it
     * @param outcome the {@code DeliveryStatus.Outcome} wire name ({@code sent}, {@code rejected}, …)
     */
    record Push(
            UUID eventId,
            @Nullable UUID notificationId,
            UUID deliveryId,
            String userId,
            @Nullable String provider,
            String outcome,
            @Nullable String reason,
            @Nullable Integer attempt,
            Instant recordedAt) {

        Push {
            Objects.requireNonNull(eventId, "eventId");
            Objects.requireNonNull(deliveryId, "deliveryId");
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(recordedAt, "recordedAt");
        }
    }

    /**
     * dispatch-service's answer.
     *
     * @param truncated {@code true} when it holds more rows than it gave; absent (null) or false otherwise
     */
    record Pushes(List<Push> deliveries, @Nullable Boolean truncated) {

        boolean more() {
            return Boolean.TRUE.equals(truncated);
        }
    }

    /** One stored in-app notification. */
    record Stored(
            UUID eventId,
            UUID notificationId,
            String source,
            String userId,
            String type,
            @Nullable String title,
            @Nullable String body,
            Instant occurredAt,
            Instant createdAt,
            @Nullable Instant readAt) {

        Stored {
            Objects.requireNonNull(eventId, "eventId");
            Objects.requireNonNull(notificationId, "notificationId");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(occurredAt, "occurredAt");
            Objects.requireNonNull(createdAt, "createdAt");
        }
    }

    /**
     * ws-fanout-service's answer.
     *
     * @param truncated {@code true} when it holds more rows than it gave; absent (null) or false otherwise
     */
    record Inbox(List<Stored> notifications, @Nullable Boolean truncated) {

        boolean more() {
            return Boolean.TRUE.equals(truncated);
        }
    }

    /** A service that did not give its answer: the request that needed it is answered 503 naming it. */
    static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final String service;

        Unavailable(String service, String why) {
            super(service + ": " + why, null, false, false);
            this.service = service;
        }

        String service() {
            return service;
        }
    }

    private final LogServicesProperties properties;
    private final @Nullable String secret;
    private final HttpClient http;

    LogServices(LogServicesProperties properties, InternalApiProperties internal) {
        this.properties = properties;
        this.secret = internal.secret();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(properties.timeout())
                .build();
    }

    /** dispatch-service's deliveries of these events (empty for none), the calls of 100 ids merged. */
    CompletableFuture<Pushes> pushesOf(Collection<UUID> eventIds) {
        List<CompletableFuture<Pushes>> calls = new ArrayList<>();
        for (List<UUID> chunk : chunks(eventIds)) {
            calls.add(get(DISPATCH, properties.dispatchUrl(), "/internal/v1/deliveries?" + eventIdParams(chunk))
                    .thenApply(body -> parse(DISPATCH, body, Pushes.class)));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Push> all = new ArrayList<>();
            boolean truncated = false;
            for (CompletableFuture<Pushes> call : calls) {
                Pushes p = call.join();
                all.addAll(p.deliveries());
                truncated |= p.more();
            }
            return new Pushes(all, truncated);
        });
    }

    /** The inbox rows of these events (empty for none), the calls of 100 ids merged. */
    CompletableFuture<Inbox> inboxOf(Collection<UUID> eventIds) {
        List<CompletableFuture<Inbox>> calls = new ArrayList<>();
        for (List<UUID> chunk : chunks(eventIds)) {
            calls.add(get(WS_FANOUT, properties.wsFanoutUrl(), "/internal/v1/inbox/by-event?" + eventIdParams(chunk))
                    .thenApply(body -> parse(WS_FANOUT, body, Inbox.class)));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Stored> all = new ArrayList<>();
            boolean truncated = false;
            for (CompletableFuture<Inbox> call : calls) {
                Inbox i = call.join();
                all.addAll(i.notifications());
                truncated |= i.more();
            }
            return new Inbox(all, truncated);
        });
    }

    /**
     * A page of the user's inbox rows of one app, newest first by {@code (createdAt, notificationId)}, strictly
     * before {@code (beforeAt, beforeId)} when given; {@code limit} 1 to 100.
     */
    CompletableFuture<Inbox> inboxHistory(
            String userId, String source, int limit, @Nullable Instant beforeAt, @Nullable UUID beforeId) {
        StringBuilder path = new StringBuilder("/internal/v1/inbox/history/")
                .append(UserIdPaths.segment(userId))
                .append("?source=")
                .append(URLEncoder.encode(source, StandardCharsets.UTF_8))
                .append("&limit=")
                .append(limit);
        if (beforeAt != null && beforeId != null) {
            path.append("&beforeAt=").append(beforeAt).append("&beforeId=").append(beforeId);
        }
        return get(WS_FANOUT, properties.wsFanoutUrl(), path.toString())
                .thenApply(body -> parse(WS_FANOUT, body, Inbox.class));
    }

    private static List<List<UUID>> chunks(Collection<UUID> eventIds) {
        List<UUID> ids = eventIds.stream().distinct().toList();
        List<List<UUID>> chunks = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += MAX_IDS_PER_CALL) {
            chunks.add(ids.subList(i, Math.min(ids.size(), i + MAX_IDS_PER_CALL)));
        }
        return chunks;
    }

    private static String eventIdParams(List<UUID> ids) {
        StringBuilder query = new StringBuilder();
        for (UUID id : ids) {
            query.append(query.isEmpty() ? "" : "&").append("eventId=").append(id);
        }
        return query.toString();
    }

    private CompletableFuture<byte[]> get(String service, URI base, String pathAndQuery) {
        String token = secret;
        if (token == null) {
            return CompletableFuture.failedFuture(
                    new Unavailable(service, "no herald.internal.secret to call it with"));
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/+$", "") + pathAndQuery))
                    .timeout(properties.timeout())
                    .header(InternalApiProperties.HEADER, token)
                    .header("Accept", "application/json")
                    .GET()
                    .build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new Unavailable(service, e.toString()));
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                // Bounds the whole exchange, the body included, not only the wait for the headers.
                .orTimeout(properties.timeout().toNanos(), TimeUnit.NANOSECONDS)
                .handle((response, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause()
                                : failure;
                        String why =
                                cause instanceof TimeoutException || cause instanceof java.net.http.HttpTimeoutException
                                        ? "no answer within " + properties.timeout()
                                        : cause.toString();
                        log.warn(
                                "{} did not answer {}: {}",
                                service,
                                request.uri().getRawPath(),
                                why);
                        throw new Unavailable(service, why);
                    }
                    if (response.statusCode() != 200) {
                        log.warn(
                                "{} answered {} to {}",
                                service,
                                response.statusCode(),
                                request.uri().getRawPath());
                        throw new Unavailable(service, "answered " + response.statusCode());
                    }
                    return response.body();
                });
    }

    private static <T> T parse(String service, byte[] body, Class<T> type) {
        try {
            T value = HeraldJson.mapper().readValue(body, type);
            if ((value instanceof Pushes p && p.deliveries() == null)
                    || (value instanceof Inbox i && i.notifications() == null)) {
                throw new Unavailable(service, "its answer has no list");
            }
            return value;
        } catch (RuntimeException e) {
            if (e instanceof Unavailable u) {
                throw u;
            }
            log.warn("{} answered what is not its contract's JSON: {}", service, e.toString());
            throw new Unavailable(service, "its answer is not the JSON its contract promises");
        }
    }
}
