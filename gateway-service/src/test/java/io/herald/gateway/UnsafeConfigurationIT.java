package io.herald.gateway;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Configurations that would leave the gateway open keep it from starting, with a message saying what to set. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class UnsafeConfigurationIT {

    static final String HMAC = "a-gateway-test-secret-of-at-least-32-bytes";
    static final String INTERNAL = "--herald.internal.secret=an-internal-secret-of-at-least-32-bytes-for-tests";
    static final String JWKS = "--herald.gateway.jwt.jwk-set-uri=http://127.0.0.1:9/jwks";

    @Test
    void anHmacSecretAndAKeySetTogetherAreRefused() {
        assertRefused(
                "set only one of herald.gateway.jwt.hmac-secret, herald.gateway.jwt.jwk-set-uri and"
                        + " herald.gateway.jwt.issuer-uri",
                "--herald.gateway.jwt.hmac-secret=" + HMAC,
                JWKS,
                "--herald.gateway.jwt.issuer=https://id.example.test/",
                "--herald.gateway.jwt.audience=app",
                INTERNAL);
    }

    @Test
    void aKeySetWithoutIssuerOrAudienceIsRefused() {
        String message = "herald.gateway.jwt.issuer and herald.gateway.jwt.audience are required with"
                + " herald.gateway.jwt.jwk-set-uri";
        assertRefused(message, JWKS, "--herald.gateway.jwt.audience=app", INTERNAL);
        assertRefused(message, JWKS, "--herald.gateway.jwt.issuer=https://id.example.test/", INTERNAL);
        assertRefused(
                "herald.gateway.jwt.issuer and herald.gateway.jwt.audience are required with"
                        + " herald.gateway.jwt.issuer-uri",
                "--herald.gateway.jwt.issuer-uri=http://127.0.0.1:9/",
                INTERNAL);
    }

    @Test
    void noInternalSecretOrAShortOneIsRefused() {
        assertRefused(
                "herald.internal.secret (HERALD_INTERNAL_SECRET) is required",
                "--herald.gateway.jwt.hmac-secret=" + HMAC);
        assertRefused(
                "herald.internal.secret (HERALD_INTERNAL_SECRET) must be at least 32 bytes",
                "--herald.gateway.jwt.hmac-secret=" + HMAC,
                "--herald.internal.secret=short");
    }

    private static void assertRefused(String message, String... settings) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--management.server.port=0",
                // Never reached: the context fails before anything talks to Kafka.
                "--spring.kafka.bootstrap-servers=127.0.0.1:9",
                "--spring.kafka.admin.fail-fast=false"));
        args.addAll(List.of(settings));
        assertThatThrownBy(() -> GatewayApplication.application()
                        .run(args.toArray(String[]::new))
                        .close())
                .as(String.join(" ", settings))
                .rootCause()
                .hasMessageContaining(message);
    }
}
