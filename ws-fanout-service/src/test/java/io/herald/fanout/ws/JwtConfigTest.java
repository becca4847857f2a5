package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/** Socket JWT settings that would let the wrong tokens in keep ws-fanout from starting, saying what to set. */
class JwtConfigTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(JwtProperties.class)
    static class Settings {}

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withUserConfiguration(Settings.class, JwtConfig.class);

    @Test
    void anHmacSecretAndAKeySetTogetherAreRefused() {
        runner.withPropertyValues(
                        "herald.fanout.jwt.hmac-secret=an-hmac-secret-of-at-least-32-bytes-for-tests",
                        "herald.fanout.jwt.jwk-set-uri=https://id.example.test/jwks",
                        "herald.fanout.jwt.issuer=https://id.example.test/",
                        "herald.fanout.jwt.audience=app")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("set only one of herald.fanout.jwt.hmac-secret,"
                                + " herald.fanout.jwt.jwk-set-uri and herald.fanout.jwt.issuer-uri"));
    }

    @Test
    void aKeySetWithoutIssuerAndAudienceIsRefused() {
        for (String[] settings : new String[][] {
            {"herald.fanout.jwt.jwk-set-uri=https://id.example.test/jwks"},
            {"herald.fanout.jwt.jwk-set-uri=https://id.example.test/jwks", "herald.fanout.jwt.audience=app"},
            {"herald.fanout.jwt.jwk-set-uri=https://id.example.test/jwks", "herald.fanout.jwt.issuer=https://i/"}
        }) {
            runner.withPropertyValues(settings)
                    .run(context -> assertThat(context)
                            .hasFailed()
                            .getFailure()
                            .rootCause()
                            .hasMessageContaining("herald.fanout.jwt.issuer and herald.fanout.jwt.audience are"
                                    + " required with herald.fanout.jwt.jwk-set-uri"));
        }
    }

    @Test
    void aKeySetWithIssuerAndAudienceOrAnHmacSecretAloneStarts() {
        runner.withPropertyValues(
                        "herald.fanout.jwt.jwk-set-uri=https://id.example.test/jwks",
                        "herald.fanout.jwt.issuer=https://id.example.test/",
                        "herald.fanout.jwt.audience=app")
                .run(context -> assertThat(context).hasSingleBean(JwtDecoder.class));
        runner.withPropertyValues("herald.fanout.jwt.hmac-secret=an-hmac-secret-of-at-least-32-bytes-for-tests")
                .run(context -> assertThat(context).hasSingleBean(JwtDecoder.class));
    }
}
