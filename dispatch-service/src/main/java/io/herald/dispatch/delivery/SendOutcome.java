package io.herald.dispatch.delivery;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a provider said about one push: accepted; rejected for good (never retried: a dead token becomes token
 * feedback, anything else goes to the dead-letter topic); or failed for now (retried with backoff).
 */
public sealed interface SendOutcome {

    /** The provider took the push; {@code providerMessageId} is its id for it. */
    record Accepted(String providerMessageId) implements SendOutcome {}

    /**
     * The provider refused the push for good.
     *
     * @param code the provider's error code, such as {@code UNREGISTERED}
     * @param tokenDead whether the token will never work again (the device must be deactivated)
     */
    record Rejected(String code, String reason, boolean tokenDead) implements SendOutcome {}

    /**
     * A transient failure (5xx, timeout, quota).
     *
     * @param retryAfter how long the provider asked to wait, or {@code null}
     */
    record Failed(String code, String reason, @Nullable Duration retryAfter) implements SendOutcome {}
}
