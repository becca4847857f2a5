package io.herald.dispatch.fcm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.dispatch.TestDeliveries;
import io.herald.dispatch.delivery.SendOutcome;
import io.herald.dispatch.delivery.UndeliverableException;
import io.herald.events.Provider;
import io.herald.testkit.fcm.FcmEmulator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * {@code herald.dispatch.fcm.*} as Spring binds it: explicit settings for where FCM is, how it is trusted and where
 * the access token comes from; settings that cannot work together stop the service.
 */
class FcmPropertiesTest {

    private static FcmProperties bind(Map<String, String> settings) {
        var source = new MapConfigurationPropertySource();
        settings.forEach((key, value) -> source.put("herald.dispatch.fcm." + key, value));
        return new Binder(source).bindOrCreate("herald.dispatch.fcm", FcmProperties.class);
    }

    @Test
    void byDefaultGoogleWithCredentialsAndTheSystemsCas() {
        FcmProperties properties = bind(Map.of());

        assertThat(properties.baseUrl()).isEqualTo(URI.create("https://fcm.googleapis.com"));
        assertThat(properties.fixedAccessToken()).isFalse();
        assertThat(properties.trustedServerCertificate()).isNull();
        assertThat(properties.connections()).isEqualTo(4);
        assertThat(properties.requestTimeout()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void blankSettingsAreUnsetAsComposePassesThem() {
        FcmProperties properties = bind(Map.of("access-token", "", "trusted-server-certificate-path", " "));

        assertThat(properties.fixedAccessToken()).isFalse();
        assertThat(properties.trustedServerCertificate()).isNull();
    }

    @Test
    void anHttpsEmulatorWithItsCaAndAFixedToken() {
        FcmProperties properties = bind(Map.of(
                "base-url", "https://127.0.0.1:9443",
                "access-token", "herald-emulator",
                "trusted-server-certificate-path", "/certs/emulator-ca.pem"));

        assertThat(properties.fixedAccessToken()).isTrue();
        assertThat(properties.trustedServerCertificate()).isEqualTo(Path.of("/certs/emulator-ca.pem"));
    }

    @Test
    void settingsThatCannotWorkTogetherAreRefused() {
        assertRefused(
                Map.of("access-token", "t", "credentials-path", "/sa.json"),
                "set one of herald.dispatch.fcm.access-token");
        assertRefused(
                Map.of("base-url", "http://127.0.0.1:9099", "trusted-server-certificate-path", "/ca.pem"),
                "herald.dispatch.fcm.trusted-server-certificate-path needs an https herald.dispatch.fcm.base-url");
        assertRefused(Map.of("base-url", "ftp://fcm.example"), "herald.dispatch.fcm.base-url must be an http(s)");
        assertRefused(Map.of("connections", "0"), "herald.dispatch.fcm.connections must be at least 1");
        assertRefused(Map.of("request-timeout", "0s"), "herald.dispatch.fcm.request-timeout must be positive");
    }

    private static void assertRefused(Map<String, String> settings, String message) {
        assertThatThrownBy(() -> bind(settings))
                .as(settings.toString())
                .rootCause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aFixedTokenWithoutProjectIdTurnsFcmOffAndItsDeliveriesAreRefused() {
        var provider = new FcmProvider(
                bind(Map.of("base-url", "http://127.0.0.1:1", "access-token", "herald-emulator")),
                Clock.systemUTC(),
                new DefaultListableBeanFactory().getBeanProvider(FcmSender.class));
        try {
            assertThatThrownBy(() -> provider.send(TestDeliveries.like("user-1", "tok", Provider.FCM)))
                    .isInstanceOf(UndeliverableException.class)
                    .satisfies(
                            e -> assertThat(((UndeliverableException) e).code()).isEqualTo("provider-disabled"))
                    .hasMessageContaining("herald.dispatch.fcm.access-token needs herald.dispatch.fcm.project-id");
        } finally {
            provider.destroy();
        }
    }

    @Test
    void theFixedTokenIsTheBearerOfEverySend() throws Exception {
        try (var fcm = FcmEmulator.start()) {
            fcm.acceptAccessToken("emulator-token");
            var provider = new FcmProvider(
                    bind(Map.of(
                            "base-url", fcm.baseUrl(), "project-id", "herald-test", "access-token", "emulator-token")),
                    Clock.systemUTC(),
                    new DefaultListableBeanFactory().getBeanProvider(FcmSender.class));
            try {
                assertThat(provider.send(TestDeliveries.like("user-1", "tok", Provider.FCM))
                                .get(30, TimeUnit.SECONDS))
                        .isInstanceOf(SendOutcome.Accepted.class);
            } finally {
                provider.destroy();
            }
        }
    }
}
