package io.herald.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Gateway settings, {@code herald.gateway.*}.
 *
 * @param apiKeys {@code api-keys[i].*}: the upstream apps allowed to publish
 * @param publishTimeout {@code publish-timeout}: how long to wait for Kafka to acknowledge an event before 503
 * @param maxRequestSize {@code max-request-size}: larger request bodies are refused with 413
 * @param maxBatchRequestSize {@code max-batch-request-size}: the same for {@code POST /v1/events/batch}
 * @param tokenServiceUrl {@code token-service-url}: token-service's internal API
 * @param wsFanoutUrl {@code ws-fanout-url}: ws-fanout-service's internal inbox API
 * @param downstreamTimeout {@code downstream-timeout}: connect and read timeout of internal calls
 * @param jwt {@code jwt.*}: how user tokens are checked
 * @param dev {@code dev.*}: development helpers, off by default
 * @param rateLimits {@code rate-limits.*}: requests per second per API key and per user
 * @param cors {@code cors.*}: which browser origins may call the API
 */
@ConfigurationProperties("herald.gateway")
public record GatewayProperties(
        @DefaultValue List<ApiKey> apiKeys,
        @DefaultValue("5s") Duration publishTimeout,
        @DefaultValue("256KB") DataSize maxRequestSize,
        @DefaultValue("8MB") DataSize maxBatchRequestSize,
        @DefaultValue("http://localhost:8081") URI tokenServiceUrl,
        @DefaultValue("http://localhost:8084") URI wsFanoutUrl,
        @DefaultValue("5s") Duration downstreamTimeout,
        @DefaultValue Jwt jwt,
        @DefaultValue Dev dev,
        @DefaultValue RateLimits rateLimits,
        @DefaultValue Cors cors) {

    /**
     * Token buckets: sustained requests per second, and how many may come at once.
     *
     * @param perApiKeyPerSecond {@code per-api-key-per-second}
     * @param perApiKeyBurst {@code per-api-key-burst}
     * @param perUserPerSecond {@code per-user-per-second}
     * @param perUserBurst {@code per-user-burst}
     */
    public record RateLimits(
            @DefaultValue("2000") int perApiKeyPerSecond,
            @DefaultValue("4000") int perApiKeyBurst,
            @DefaultValue("20") int perUserPerSecond,
            @DefaultValue("40") int perUserBurst) {}

    /** @param allowedOrigins {@code allowed-origins}: browser origins allowed to call the API (none by default) */
    public record Cors(@DefaultValue List<String> allowedOrigins) {}

    /**
     * One upstream app's key. Two entries with the same name let a key be rotated without downtime.
     *
     * @param name the app's name; it becomes the {@code source} of its events
     * @param sha256 the hex SHA-256 of the key (the key itself is never configured)
     * @param eventTypes the event types it may publish; empty means any
     */
    public record ApiKey(
            String name, String sha256, @DefaultValue Set<String> eventTypes) {}

    /**
     * Exactly one of these.
     *
     * @param hmacSecret {@code hmac-secret}: HS256 secret (development), at least 32 bytes
     * @param issuerUri {@code issuer-uri}: the identity provider (production), discovered by OpenID metadata
     * @param jwkSetUri {@code jwk-set-uri}: the identity provider's keys (production)
     */
    public record Jwt(
            @Nullable String hmacSecret,
            @Nullable String issuerUri,
            @Nullable String jwkSetUri) {}

    /** @param enabled {@code enabled}: serve {@code POST /dev/token} (never in production) */
    public record Dev(@DefaultValue("false") boolean enabled) {}
}
