package io.herald.dispatch.fcm;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * FCM settings, {@code herald.dispatch.fcm.*}.
 *
 * @param enabled {@code enabled}: send FCM deliveries at all
 * @param projectId {@code project-id}: the Firebase project (taken from the service-account file when unset)
 * @param credentialsPath {@code credentials-path}: a service-account JSON file; when unset, Application
 *     Default Credentials
 * @param baseUrl {@code base-url}: FCM's address; anything but Google's is treated as an emulator, reached
 *     with {@code emulator-access-token} instead of real credentials
 * @param emulatorAccessToken {@code emulator-access-token}: the bearer token sent to an emulator
 * @param connections {@code connections}: HTTP/2 connections Herald's FCM client keeps to FCM (each carries
 *     as many concurrent sends as FCM allows on one connection, typically 100)
 * @param requestTimeout {@code request-timeout}: how long the client waits for FCM's answer before it resets
 *     the stream and counts the send as failed (retried)
 */
@ConfigurationProperties("herald.dispatch.fcm")
record FcmProperties(
        @DefaultValue("true") boolean enabled,
        @Nullable String projectId,
        @Nullable String credentialsPath,
        @DefaultValue(GOOGLE) URI baseUrl,
        @DefaultValue("herald-emulator") String emulatorAccessToken,
        @DefaultValue("4") int connections,
        @DefaultValue("20s") Duration requestTimeout) {

    static final String GOOGLE = "https://fcm.googleapis.com";

    boolean emulated() {
        return !baseUrl.toString().startsWith(GOOGLE);
    }
}
