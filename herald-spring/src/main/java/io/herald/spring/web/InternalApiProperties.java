package io.herald.spring.web;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The credential of Herald's internal APIs, {@code herald.internal.*}.
 *
 * @param secret {@code secret} ({@code HERALD_INTERNAL_SECRET}): the shared secret, at least 32 bytes, that a
 *     caller of {@code /internal/**} sends in {@value #HEADER}. The same value on every service: token-service
 *     and ws-fanout-service refuse to start without it, the gateway sends it and refuses to start without it.
 */
@ConfigurationProperties("herald.internal")
public record InternalApiProperties(@Nullable String secret) {

    /** The header that carries the secret on internal calls. */
    public static final String HEADER = "X-Herald-Internal-Token";

    /** The shortest secret accepted, in bytes (a 256-bit key: {@code openssl rand -hex 32}). */
    public static final int MIN_SECRET_BYTES = 32;

    public InternalApiProperties {
        if (secret != null && secret.isBlank()) {
            secret = null;
        }
        if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("herald.internal.secret (HERALD_INTERNAL_SECRET) must be at least "
                    + MIN_SECRET_BYTES + " bytes (openssl rand -hex 32)");
        }
    }

    /**
     * The secret, for a service that cannot work without it.
     *
     * @param why what the service needs it for, to complete the startup failure's message
     * @throws IllegalStateException when it is not set
     */
    public String requireSecret(String why) {
        if (secret == null) {
            throw new IllegalStateException("herald.internal.secret (HERALD_INTERNAL_SECRET) is required: " + why
                    + ". Give every Herald service the same value of at least " + MIN_SECRET_BYTES
                    + " bytes (openssl rand -hex 32)");
        }
        return secret;
    }
}
