package io.herald.dispatch;

import io.herald.testkit.fcm.FcmEmulator;
import org.springframework.test.context.DynamicPropertyRegistry;

/** The provider and retry settings dispatch-service's integration tests share. */
final class TestProviders {

    private TestProviders() {}

    /** FCM at the emulator {@code fcm} (project {@code herald-test}), and Expo off. */
    static void fcm(DynamicPropertyRegistry registry, FcmEmulator fcm) {
        registry.add("herald.dispatch.fcm.base-url", fcm::baseUrl);
        registry.add("herald.dispatch.fcm.project-id", () -> "herald-test");
        registry.add("herald.dispatch.fcm.access-token", () -> "herald-emulator");
        registry.add("herald.dispatch.expo.enabled", () -> "false");
    }

    /**
     * Statuses published on {@code herald.delivery-status.v1} ({@code herald.delivery-status.publish=true}; off by
     * default), for tests that read outcomes there.
     */
    static void publishStatuses(DynamicPropertyRegistry registry) {
        registry.add("herald.delivery-status.publish", () -> "true");
    }

    /** Retries a test can wait out: from 100 ms, at most 500 ms apart, 20 ms of jitter, three attempts. */
    static void quickRetries(DynamicPropertyRegistry registry) {
        registry.add("herald.dispatch.retry.initial-interval", () -> "100ms");
        registry.add("herald.dispatch.retry.max-interval", () -> "500ms");
        registry.add("herald.dispatch.retry.jitter", () -> "20ms");
        registry.add("herald.dispatch.retry.max-attempts", () -> "3");
    }
}
