package io.herald.fanout.ws;

import java.nio.charset.StandardCharsets;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

@Configuration(proxyBeanMethods = false)
class JwtConfig {

    /** Validates signatures and expiry; fails at startup when no way to check a token is configured. */
    @Bean
    JwtDecoder socketJwtDecoder(JwtProperties jwt) {
        if (jwt.hmacSecret() != null && !jwt.hmacSecret().isBlank()) {
            byte[] secret = jwt.hmacSecret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw new IllegalStateException("herald.fanout.jwt.hmac-secret must be at least 32 bytes");
            }
            return NimbusJwtDecoder.withSecretKey(new SecretKeySpec(secret, "HmacSHA256"))
                    .build();
        }
        if (jwt.jwkSetUri() != null && !jwt.jwkSetUri().isBlank()) {
            return NimbusJwtDecoder.withJwkSetUri(jwt.jwkSetUri()).build();
        }
        if (jwt.issuerUri() != null && !jwt.issuerUri().isBlank()) {
            return JwtDecoders.fromIssuerLocation(jwt.issuerUri());
        }
        throw new IllegalStateException(
                "set herald.fanout.jwt.hmac-secret, herald.fanout.jwt.jwk-set-uri or herald.fanout.jwt.issuer-uri");
    }
}
