package io.herald.fanout.ws;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How sockets are authenticated, {@code herald.fanout.jwt.*}: set exactly one of these, as on the gateway.
 *
 * @param hmacSecret {@code hmac-secret}: the HS256 secret (development; at least 32 bytes)
 * @param jwkSetUri {@code jwk-set-uri}: the identity provider's JWK set (production)
 * @param issuerUri {@code issuer-uri}: the identity provider, discovered through OpenID metadata (production)
 */
@ConfigurationProperties("herald.fanout.jwt")
record JwtProperties(
        @Nullable String hmacSecret,
        @Nullable String jwkSetUri,
        @Nullable String issuerUri) {}
