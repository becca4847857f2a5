package io.herald.fanout.ws;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How sockets are authenticated, {@code herald.fanout.jwt.*}: exactly one of the first three, and with a key set
 * also {@code issuer} and {@code audience}, as on the gateway ({@code io.herald.spring.jwt.UserJwtPolicy} says
 * what every accepted token has).
 *
 * @param hmacSecret {@code hmac-secret}: the HS256 secret (development; at least 32 bytes)
 * @param jwkSetUri {@code jwk-set-uri}: the identity provider's JWK set (production)
 * @param issuerUri {@code issuer-uri}: the identity provider, discovered through OpenID metadata (production)
 * @param issuer {@code issuer}: the {@code iss} every token must have; required with {@code jwk-set-uri},
 *     defaults to {@code issuer-uri}
 * @param audience {@code audience}: the {@code aud} values of which a token must name one; required with a key
 *     set
 */
@ConfigurationProperties("herald.fanout.jwt")
record JwtProperties(
        @Nullable String hmacSecret,
        @Nullable String jwkSetUri,
        @Nullable String issuerUri,
        @Nullable String issuer,
        @DefaultValue List<String> audience) {}
