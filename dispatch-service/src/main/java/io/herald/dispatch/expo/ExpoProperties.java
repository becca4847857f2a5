package io.herald.dispatch.expo;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Expo settings, {@code herald.dispatch.expo.*}.
 *
 * @param enabled {@code enabled}: send Expo deliveries at all
 * @param baseUrl {@code base-url}: Expo's push API ({@code https://exp.host}), or an emulator or proxy
 * @param accessToken {@code access-token}: the project's access token, when push security is on; never logged
 * @param gzipAbove {@code gzip-above}: request bodies larger than this are sent gzipped
 * @param receiptDelay {@code receipt-delay}: how old a ticket must be before its receipt is fetched
 * @param receiptPollInterval {@code receipt-poll-interval}: how often to look for due receipts
 * @param batchSize {@code batch-size}: messages per push request, at most Expo's 100
 * @param batchLinger {@code batch-linger}: how long a message may wait for others to share its request
 */
@ConfigurationProperties("herald.dispatch.expo")
record ExpoProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("https://exp.host") URI baseUrl,
        @Nullable String accessToken,
        @DefaultValue("1KB") DataSize gzipAbove,
        @DefaultValue("15m") Duration receiptDelay,
        @DefaultValue("1m") Duration receiptPollInterval,
        @DefaultValue("100") int batchSize,
        @DefaultValue("10ms") Duration batchLinger) {

    ExpoProperties {
        if (batchSize < 1 || batchSize > 100) {
            throw new IllegalArgumentException(
                    "herald.dispatch.expo.batch-size must be 1 to 100 (Expo takes at most 100 messages a request)");
        }
    }
}
