package io.herald.dispatch.fcm.http2;

import org.jspecify.annotations.Nullable;

/**
 * A whole answer to a request of an {@link Http2Client}.
 *
 * @param status the HTTP status
 * @param body the body as UTF-8 text, or {@code null} when there was none
 * @param retryAfter the {@code retry-after} header, or {@code null}
 */
public record Http2Response(
        int status, @Nullable String body, @Nullable String retryAfter) {}
