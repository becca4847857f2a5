package io.herald.dispatch.fcm;

import com.google.firebase.messaging.Message;
import io.herald.dispatch.delivery.SendOutcome;
import java.util.concurrent.CompletableFuture;

/**
 * Sends FCM messages for {@link FcmProvider}: Herald's own {@link FcmDirectClient}, unless the application context
 * holds another sender (a benchmark plugs in firebase-admin's {@code sendAsync} or another HTTP/2 client to compare
 * with). Long-lived, thread-safe, asynchronous; the provider that uses a sender closes it.
 */
public interface FcmSender extends AutoCloseable {

    /**
     * Sends {@code message}. Never blocks; the future never completes exceptionally: every failure is an outcome
     * (an I/O failure, a timeout or a lost connection is a {@link SendOutcome.Failed}, retried).
     *
     * @throws RuntimeException when the message cannot be written as JSON (a bug or data FCM cannot take: the
     *     caller dead-letters it rather than retrying)
     */
    CompletableFuture<SendOutcome> send(Message message);

    /** Stops sending; sends still in flight fail. Idempotent. */
    @Override
    void close();
}
