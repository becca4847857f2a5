package io.herald.fanout.ws;

import io.herald.spring.jwt.UserJwtPolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;

@Configuration(proxyBeanMethods = false)
class JwtConfig {

    /**
     * Checks socket JWTs as {@link UserJwtPolicy} says (signature, {@code exp} required, subject, issuer and
     * audience); fails at startup for a configuration it refuses, or when no way to check a token is configured.
     */
    @Bean
    JwtDecoder socketJwtDecoder(JwtProperties jwt) {
        return UserJwtPolicy.decoder(new UserJwtPolicy.Settings(
                        "herald.fanout.jwt",
                        jwt.hmacSecret(),
                        jwt.jwkSetUri(),
                        jwt.issuerUri(),
                        jwt.issuer(),
                        jwt.audience()))
                .orElseThrow(() -> new IllegalStateException("set herald.fanout.jwt.hmac-secret,"
                        + " herald.fanout.jwt.jwk-set-uri or herald.fanout.jwt.issuer-uri"));
    }
}
