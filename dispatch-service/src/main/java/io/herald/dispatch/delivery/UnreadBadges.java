package io.herald.dispatch.delivery;

import io.herald.events.Badge;
import io.herald.events.HeraldJson;
import io.herald.events.PushDelivery;
import io.herald.spring.web.InternalApiProperties;
import io.herald.spring.web.UserIdPaths;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Resolves {@link Badge#UNREAD}: asks ws-fanout-service's internal API {@code GET
 * /internal/inbox/{userId}/unread?notificationId={id}} (header {@value InternalApiProperties#HEADER}) for the
 * recipient's unread count and whether the notification is already stored in their inbox; the badge is the count,
 * plus one when the notification also goes to the inbox ({@link PushDelivery#inApp()}) and is not stored yet (the
 * push may be sent before the inbox writer stores it).
 *
 * <p>Never holds a push back: the lookups of a poll run concurrently and are waited for at most {@code
 * herald.dispatch.unread-badge.timeout} in all; a push whose count did not come (ws-fanout away, slow, refusing, no
 * internal secret configured) is sent without a badge, logged and counted in {@code
 * herald.dispatch.unread-badge.unresolved} by {@code reason}. One lookup per user and notification: a user's devices
 * share it. Thread-safe.
 */
@Component
@EnableConfigurationProperties(InternalApiProperties.class)
public class UnreadBadges {

    private static final Logger log = LoggerFactory.getLogger(UnreadBadges.class);
    /** ws-fanout's answer. */
    private record Unread(long unread, boolean stored) {}

    private final UnreadBadgeProperties properties;
    private final @Nullable String secret;
    private final MeterRegistry meters;
    private final HttpClient http;

    UnreadBadges(UnreadBadgeProperties properties, InternalApiProperties internal, MeterRegistry meters) {
        this.properties = properties;
        this.secret = internal.secret();
        this.meters = meters;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(properties.timeout())
                .build();
        if (secret == null) {
            log.warn("no herald.internal.secret: pushes with badge \"unread\" will be sent without a badge");
        }
    }

    /**
     * {@code deliveries} with every {@code unread} badge of a push that shows one replaced by the count, or by no
     * badge where the count could not be had in time; the others as they are, in the same order. Blocks the
     * calling thread at most {@code timeout} (about, plus the time to start the requests).
     */
    public List<PushDelivery> resolve(List<PushDelivery> deliveries) {
        Map<String, CompletableFuture<@Nullable Unread>> lookups = new HashMap<>();
        for (PushDelivery delivery : deliveries) {
            if (needsLookup(delivery)) {
                lookups.computeIfAbsent(key(delivery), k -> lookup(delivery));
            }
        }
        if (lookups.isEmpty()) {
            return deliveries;
        }
        List<PushDelivery> resolved = new ArrayList<>(deliveries.size());
        int missed = 0;
        for (PushDelivery delivery : deliveries) {
            CompletableFuture<@Nullable Unread> lookup = needsLookup(delivery) ? lookups.get(key(delivery)) : null;
            if (lookup == null) {
                resolved.add(delivery);
                continue;
            }
            // Bounded: every lookup times out after `timeout` and never completes exceptionally.
            Unread unread = lookup.join();
            if (unread == null) {
                missed++;
            }
            resolved.add(withBadge(delivery, unread == null ? null : badge(delivery, unread)));
        }
        if (missed > 0) {
            log.warn(
                    "{} pushes with badge \"unread\" (of {} in the poll) are sent without a badge: their unread count could not be"
                            + " had from ws-fanout-service (herald.dispatch.unread-badge.unresolved)",
                    missed,
                    resolved.size());
        }
        return resolved;
    }

    private static boolean needsLookup(PushDelivery delivery) {
        Badge badge = delivery.badge();
        return badge != null && badge.unread() && !PushContent.silent(delivery);
    }

    private static String key(PushDelivery delivery) {
        return delivery.userId() + '\n' + delivery.notificationId();
    }

    private static Badge badge(PushDelivery delivery, Unread unread) {
        long count = unread.unread() + (delivery.inApp() && !unread.stored() ? 1 : 0);
        return Badge.of((int) Math.min(Math.max(count, 0), Badge.MAX_COUNT));
    }

    /** ws-fanout's answer for the delivery's user and notification, or {@code null} (counted and logged). */
    private CompletableFuture<@Nullable Unread> lookup(PushDelivery delivery) {
        String token = secret;
        if (token == null) {
            unresolved("not-configured", delivery, "no herald.internal.secret");
            return CompletableFuture.completedFuture(null);
        }
        HttpRequest request;
        try {
            URI uri = URI.create(properties.wsFanoutUrl().toString().replaceAll("/+$", "")
                    + "/internal/inbox/" + segment(delivery.userId()) + "/unread?notificationId="
                    + delivery.notificationId());
            request = HttpRequest.newBuilder(uri)
                    .timeout(properties.timeout())
                    .header(InternalApiProperties.HEADER, token)
                    .header("Accept", "application/json")
                    .GET()
                    .build();
        } catch (IllegalArgumentException e) {
            unresolved("error", delivery, e.toString());
            return CompletableFuture.completedFuture(null);
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .orTimeout(properties.timeout().toNanos(), TimeUnit.NANOSECONDS)
                .handle((response, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause()
                                : failure;
                        boolean timedOut = cause instanceof TimeoutException || cause instanceof HttpTimeoutException;
                        unresolved(timedOut ? "timeout" : "error", delivery, cause.toString());
                        return null;
                    }
                    if (response.statusCode() != 200) {
                        unresolved("status", delivery, "ws-fanout answered " + response.statusCode());
                        return null;
                    }
                    try {
                        JsonNode body = HeraldJson.mapper().readTree(response.body());
                        if (!body.path("unread").isIntegralNumber()) {
                            unresolved("status", delivery, "ws-fanout's answer has no unread count");
                            return null;
                        }
                        return new Unread(
                                body.path("unread").asLong(),
                                body.path("stored").asBoolean(false));
                    } catch (RuntimeException e) {
                        unresolved("status", delivery, "ws-fanout's answer is not JSON");
                        return null;
                    }
                });
    }

    private void unresolved(String reason, PushDelivery delivery, String why) {
        meters.counter("herald.dispatch.unread-badge.unresolved", "reason", reason)
                .increment();
        log.debug(
                "delivery {} (event {}): unread badge not resolved ({}: {}); sent without a badge",
                delivery.deliveryId(),
                delivery.eventId(),
                reason,
                why);
    }

    /** A user id as one path segment, as the gateway encodes it for every internal API. */
    static String segment(String userId) {
        return UserIdPaths.segment(userId);
    }

    /** {@code delivery} with {@code badge} (none: {@code null}). */
    static PushDelivery withBadge(PushDelivery d, @Nullable Badge badge) {
        return new PushDelivery(
                d.deliveryId(),
                d.notificationId(),
                d.eventId(),
                d.schemaVersion(),
                d.occurredAt(),
                d.userId(),
                d.type(),
                d.provider(),
                d.token(),
                d.platform(),
                d.title(),
                d.body(),
                d.data(),
                d.priority(),
                d.ttlSeconds(),
                d.collapseKey(),
                d.androidChannelId(),
                d.sound(),
                d.imageUrl(),
                d.link(),
                d.actions(),
                d.category(),
                badge,
                d.silent(),
                d.change(),
                d.inApp());
    }
}
