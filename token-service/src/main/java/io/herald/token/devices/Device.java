package io.herald.token.devices;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A registered device as the API shows it: the token itself never leaves token-service, only its last six
 * characters, so a user can tell their devices apart.
 */
public record Device(
        UUID deviceId,
        String provider,
        @Nullable String platform,
        @Nullable String appId,
        @Nullable String locale,
        @Nullable String timeZone,
        String tokenSuffix,
        boolean active,
        Instant registeredAt,
        Instant lastSeenAt) {}
