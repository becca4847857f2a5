package io.herald.dispatch.delivery;

import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import java.util.concurrent.CompletableFuture;

/** A push provider client: long-lived, thread-safe, asynchronous. */
public interface PushProvider {

    /** Which deliveries this client sends. */
    Provider provider();

    /**
     * Sends one push. Never blocks; the future never completes exceptionally: every failure is an outcome.
     *
     * @throws UndeliverableException when the provider is not configured, so nothing can be sent at all
     */
    CompletableFuture<SendOutcome> send(PushDelivery delivery);

    /**
     * Sends now whatever {@link #send} is holding back to share a request with later sends: the caller has no
     * more for the moment (the rest of its poll is sent). Never blocks.
     */
    default void flush() {}
}
