package io.herald.dispatch.delivery;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** The provider failed for now; the delivery goes to the next retry topic, then to the dead-letter topic. */
public final class TransientDeliveryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final @Nullable Duration retryAfter;

    TransientDeliveryException(String code, String reason, @Nullable Duration retryAfter) {
        super(code + ": " + reason);
        this.retryAfter = retryAfter;
    }

    /** How long the provider asked to wait ({@code Retry-After}), or {@code null}. */
    public @Nullable Duration retryAfter() {
        return retryAfter;
    }
}
