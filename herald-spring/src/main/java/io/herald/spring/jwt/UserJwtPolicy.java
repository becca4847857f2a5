package io.herald.spring.jwt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Which user JWTs Herald accepts, the same wherever users sign in (gateway, WebSocket). A token is accepted
 * only when:
 *
 * <ul>
 *   <li>its signature checks out with the one configured key source: an HS256 secret ({@code hmac-secret},
 *       development), a JWK set ({@code jwk-set-uri}) or an OpenID issuer's ({@code issuer-uri}); setting more
 *       than one is refused at startup;
 *   <li>it has an {@code exp} claim in the future and, if it has one, an {@code nbf} in the past (60 s clock
 *       skew): a token without {@code exp} would never expire;
 *   <li>it has a non-blank {@code sub}, the user id;
 *   <li>its {@code iss} is {@code issuer} and its {@code aud} names one of {@code audience}. Both are required
 *       with a key set: a provider's key set signs the tokens of all its tenants (Firebase's signs every
 *       project's), so only issuer and audience say that a token was made for this app. With {@code
 *       issuer-uri}, {@code issuer} defaults to it. With an HMAC secret both are optional, and checked when set.
 * </ul>
 *
 * A configuration that breaks these rules fails at startup with a message naming the settings.
 */
public final class UserJwtPolicy {

    private UserJwtPolicy() {}

    /**
     * One service's JWT settings.
     *
     * @param prefix the settings' prefix, for messages ({@code herald.gateway.jwt})
     * @param hmacSecret the HS256 secret, at least 32 bytes, or null
     * @param jwkSetUri the JWK set's URL, or null
     * @param issuerUri the OpenID issuer whose metadata names the JWK set, or null
     * @param issuer the {@code iss} every token must have, or null
     * @param audience the {@code aud} values of which every token must name one; empty for none
     */
    public record Settings(
            String prefix,
            @Nullable String hmacSecret,
            @Nullable String jwkSetUri,
            @Nullable String issuerUri,
            @Nullable String issuer,
            List<String> audience) {

        public Settings {
            hmacSecret = blankToNull(hmacSecret);
            jwkSetUri = blankToNull(jwkSetUri);
            issuerUri = blankToNull(issuerUri);
            issuer = blankToNull(issuer);
            audience = audience.stream()
                    .map(String::strip)
                    .filter(a -> !a.isEmpty())
                    .toList();
        }
    }

    /**
     * The decoder the settings describe, or empty when none of {@code hmac-secret}, {@code jwk-set-uri} and
     * {@code issuer-uri} is set (the caller decides whether that is allowed).
     *
     * @throws IllegalStateException when the settings are not safe, with what to change
     */
    public static Optional<JwtDecoder> decoder(Settings settings) {
        String p = settings.prefix();
        List<String> sources = new ArrayList<>();
        if (settings.hmacSecret() != null) {
            sources.add(p + ".hmac-secret");
        }
        if (settings.jwkSetUri() != null) {
            sources.add(p + ".jwk-set-uri");
        }
        if (settings.issuerUri() != null) {
            sources.add(p + ".issuer-uri");
        }
        if (sources.size() > 1) {
            throw new IllegalStateException("set only one of " + p + ".hmac-secret, " + p + ".jwk-set-uri and " + p
                    + ".issuer-uri; " + String.join(" and ", sources)
                    + " are all set, and a token must be checked one way");
        }
        if (sources.isEmpty()) {
            return Optional.empty();
        }
        NimbusJwtDecoder decoder;
        String issuer = settings.issuer();
        if (settings.hmacSecret() != null) {
            byte[] secret = settings.hmacSecret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw new IllegalStateException(p + ".hmac-secret must be at least 32 bytes");
            }
            decoder = NimbusJwtDecoder.withSecretKey(new SecretKeySpec(secret, "HmacSHA256"))
                    .build();
        } else {
            String keySet = sources.getFirst();
            if (settings.issuerUri() != null) {
                if (issuer != null && !issuer.equals(settings.issuerUri())) {
                    throw new IllegalStateException(
                            p + ".issuer must be the same as " + p + ".issuer-uri, or unset (it then defaults to it)");
                }
                issuer = settings.issuerUri();
            }
            if (issuer == null || settings.audience().isEmpty()) {
                throw new IllegalStateException(p + ".issuer and " + p + ".audience are required with " + keySet
                        + ": a key set signs the tokens of every tenant of its provider, so only the issuer and the"
                        + " audience tell that a token was made for this app");
            }
            decoder = settings.jwkSetUri() != null
                    ? NimbusJwtDecoder.withJwkSetUri(settings.jwkSetUri()).build()
                    : NimbusJwtDecoder.withIssuerLocation(settings.issuerUri()).build();
        }
        decoder.setJwtValidator(validator(issuer, settings.audience()));
        return Optional.of(decoder);
    }

    /** The claims every accepted token has: exp (and nbf) in time, a subject, and the issuer and audience given. */
    static OAuth2TokenValidator<Jwt> validator(@Nullable String issuer, List<String> audience) {
        var timestamps = new JwtTimestampValidator();
        timestamps.setAllowEmptyExpiryClaim(false);
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(timestamps);
        validators.add(new JwtClaimValidator<@Nullable Object>(
                JwtClaimNames.SUB, sub -> sub instanceof String s && !s.isBlank()));
        if (issuer != null) {
            validators.add(new JwtIssuerValidator(issuer));
        }
        if (!audience.isEmpty()) {
            List<String> allowed = List.copyOf(audience);
            validators.add(new JwtClaimValidator<@Nullable Object>(
                    JwtClaimNames.AUD,
                    aud -> aud instanceof Collection<?> named && named.stream().anyMatch(allowed::contains)));
        }
        return new DelegatingOAuth2TokenValidator<>(validators);
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
