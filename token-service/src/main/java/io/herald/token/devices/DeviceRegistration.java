package io.herald.token.devices;

import org.jspecify.annotations.Nullable;

/**
 * A register-or-refresh request. Every field is checked by {@link DeviceValidator}; nothing is trusted.
 *
 * @param provider {@code fcm}, {@code expo}, {@code apns} or {@code webpush}
 * @param token the provider's token (for FCM a registration token or a Firebase Installation ID)
 * @param platform {@code android}, {@code ios} or {@code web}
 * @param appId the app's id, such as its bundle id, or {@code null}
 * @param locale a BCP 47 language tag such as {@code en-US}, or {@code null}
 * @param timeZone an IANA time zone such as {@code Europe/Paris}, or {@code null}
 * @param firebaseInstallationId for FCM, the app's Firebase Installation ID, or {@code null}
 */
public record DeviceRegistration(
        @Nullable String provider,
        @Nullable String token,
        @Nullable String platform,
        @Nullable String appId,
        @Nullable String locale,
        @Nullable String timeZone,
        @Nullable String firebaseInstallationId) {}
