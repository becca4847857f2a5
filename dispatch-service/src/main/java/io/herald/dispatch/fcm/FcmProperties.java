package io.herald.dispatch.fcm;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * FCM settings, {@code herald.dispatch.fcm.*}. FCM itself needs credentials alone; an emulator (or a proxy) is
 * reached the same way, through its {@code base-url}, with {@code access-token} instead of credentials and, for an
 * {@code https} address with a private CA, {@code trusted-server-certificate-path} (as {@code
 * herald.dispatch.apns.*} reaches an APNs mock).
 *
 * @param enabled {@code enabled}: send FCM deliveries at all
 * @param projectId {@code project-id}: the Firebase project (taken from the service-account file when unset;
 *     required with {@code access-token})
 * @param credentialsPath {@code credentials-path}: a service-account JSON file; when unset, Application Default
 *     Credentials
 * @param baseUrl {@code base-url}: where FCM's HTTP v1 API is, {@code https://fcm.googleapis.com}; any other
 *     address is reached the same way: HTTP/2 over TLS (ALPN {@code h2}) for {@code https}, cleartext HTTP/2 with
 *     prior knowledge (h2c) for {@code http}
 * @param accessToken {@code access-token}: a fixed bearer token sent with every request instead of one from the
 *     credentials, which are then not loaded (for an emulator, which takes any token); blank means unset
 * @param trustedServerCertificatePath {@code trusted-server-certificate-path}: a PEM file of the CA certificates to
 *     trust for an {@code https} base URL instead of the system's (an emulator's or a TLS-intercepting proxy's
 *     private CA); blank means the system's
 * @param connections {@code connections}: HTTP/2 connections Herald's FCM client keeps to FCM (each carries as
 *     many concurrent sends as FCM allows on one connection, typically 100)
 * @param requestTimeout {@code request-timeout}: how long the client waits for FCM's answer before it resets the
 *     stream and counts the send as failed (retried)
 */
@ConfigurationProperties("herald.dispatch.fcm")
record FcmProperties(
        @DefaultValue("true") boolean enabled,
        @Nullable String projectId,
        @Nullable String credentialsPath,
        @DefaultValue(GOOGLE) URI baseUrl,
        @Nullable String accessToken,
        @Nullable String trustedServerCertificatePath,
        @DefaultValue("4") int connections,
        @DefaultValue("20s") Duration requestTimeout) {

    static final String GOOGLE = "https://fcm.googleapis.com";

    /**
     * Refuses settings that cannot work together, so that the service does not start with them (a binding error
     * naming the setting) instead of sending somewhere unintended.
     *
     * @throws IllegalArgumentException for a base URL that is not {@code http(s)://host}, both {@code
     *     access-token} and {@code credentials-path}, a trusted CA with an {@code http} base URL, fewer than one
     *     connection or a request timeout that is not positive
     */
    FcmProperties {
        String scheme = baseUrl.getScheme();
        if (!("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme)) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException(
                    "herald.dispatch.fcm.base-url must be an http(s)://host[:port] address, not " + baseUrl);
        }
        if (present(accessToken) && present(credentialsPath)) {
            throw new IllegalArgumentException("set one of herald.dispatch.fcm.access-token (a fixed token, for an"
                    + " emulator) and herald.dispatch.fcm.credentials-path, not both");
        }
        if (present(trustedServerCertificatePath) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("herald.dispatch.fcm.trusted-server-certificate-path needs an https"
                    + " herald.dispatch.fcm.base-url, not " + baseUrl);
        }
        if (connections < 1) {
            throw new IllegalArgumentException("herald.dispatch.fcm.connections must be at least 1");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("herald.dispatch.fcm.request-timeout must be positive");
        }
    }

    /** Whether a fixed {@code access-token} replaces the credentials. */
    boolean fixedAccessToken() {
        return present(accessToken);
    }

    /** The trusted CA file, when one is set. */
    @Nullable
    Path trustedServerCertificate() {
        return present(trustedServerCertificatePath) ? Path.of(trustedServerCertificatePath) : null;
    }

    /** Blank counts as unset: the yml and docker-compose pass unset environment variables as empty strings. */
    private static boolean present(@Nullable String value) {
        return value != null && !value.isBlank();
    }
}
