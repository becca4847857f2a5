package io.herald.token.devices;

import io.herald.events.Platform;
import io.herald.events.Provider;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A device routing may send to, with its token. */
public record ActiveDevice(
        UUID deviceId,
        String userId,
        Provider provider,
        String token,
        @Nullable Platform platform,
        @Nullable String locale) {}
