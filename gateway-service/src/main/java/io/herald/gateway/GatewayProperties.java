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
 * @param rateLimits {@code rate-limits.*}: notifications per second per API key, requests per second per user
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
     * Token buckets: a sustained rate per second, and how much may come at once. An upstream app's unit is a
     * notification: each valid event it sends costs one per recipient (each event of a batch too, a retry too; a
     * request without a valid event, or asking about an event, costs one); an event with more recipients than the burst is
     * let through only when the bucket is full, and the app then waits until its rate has paid for it. A
     * user's unit is a request.
     *
     * @param perApiKeyPerSecond {@code per-api-key-per-second}: notifications per second per app
     * @param perApiKeyBurst {@code per-api-key-burst}: notifications an app may publish at once
     * @param perUserPerSecond {@code per-user-per-second}: requests per second per user
     * @param perUserBurst {@code per-user-burst}: requests a user may make at once
     */
    public record RateLimits(
            @DefaultValue("2000") int perApiKeyPerSecond,
            @DefaultValue("4000") int perApiKeyBurst,
            @DefaultValue("20") int perUserPerSecond,
            @DefaultValue("40") int perUserBurst) {

        public RateLimits {
            if (perApiKeyPerSecond < 1 || perApiKeyBurst < 1 || perUserPerSecond < 1 || perUserBurst < 1) {
                throw new IllegalArgumentException("herald.gateway.rate-limits.* must all be at least 1");
            }
        }
    }

    /**
     * Cross-origin requests.
     *
     * @param allowedOrigins {@code allowed-origins}: browser origins allowed to call the API (none by default)
     */
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
     * Exactly one of the first three, and with a key set also {@code issuer} and {@code audience}; see {@code
     * io.herald.spring.jwt.UserJwtPolicy} for what every accepted token has.
     *
     * @param hmacSecret {@code hmac-secret}: HS256 secret (development), at least 32 bytes
     * @param issuerUri {@code issuer-uri}: the identity provider (production), discovered by OpenID metadata
     * @param jwkSetUri {@code jwk-set-uri}: the identity provider's keys (production)
     * @param issuer {@code issuer}: the {@code iss} every token must have; required with {@code jwk-set-uri},
     *     defaults to {@code issuer-uri}
     * @param audience {@code audience}: the {@code aud} values of which a token must name one; required with a key
     *     set
     */
    public record Jwt(
            @Nullable String hmacSecret,
            @Nullable String issuerUri,
            @Nullable String jwkSetUri,
            @Nullable String issuer,
            @DefaultValue List<String> audience) {}

    /**
     * The development token endpoint.
     *
     * @param enabled {@code enabled}: serve {@code POST /dev/token} (never in production)
     */
    public record Dev(@DefaultValue("false") boolean enabled) {}
}
