package io.herald.dispatch.fcm;

import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.firebase.FirebaseApp;
import com.google.firebase.messaging.FirebaseMessaging;
import com.google.firebase.messaging.FirebaseMessagingException;
import com.google.firebase.messaging.Message;
import io.herald.dispatch.delivery.SendOutcome;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The benchmark's baseline FCM client, plugged into dispatch-service as its {@link FcmSender}: firebase-admin's
 * own {@code sendAsync} (its Apache HttpClient 5 HTTP/2 transport, a thread held for every send in flight). It
 * was dispatch-service's {@code herald.dispatch.fcm.client=sdk}. It sits in dispatch's package, in the bench's
 * sources, to sort errors with dispatch's own {@link FcmErrors}, as dispatch's client does.
 */
public final class SdkFcmSender implements FcmSender {

    private final FirebaseApp app;
    private final FirebaseMessaging messaging;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Sends to {@code baseUrl} (the emulator) with a fixed bearer token. */
    public SdkFcmSender(URI baseUrl, String accessToken, String projectId) {
        this.app = FirebaseApp.initializeApp(
                FcmTransports.emulated(baseUrl, accessToken, projectId), "bench-sdk-" + UUID.randomUUID());
        this.messaging = FirebaseMessaging.getInstance(app);
    }

    @Override
    public CompletableFuture<SendOutcome> send(Message message) {
        var outcome = new CompletableFuture<SendOutcome>();
        ApiFutures.addCallback(
                messaging.sendAsync(message),
                new ApiFutureCallback<String>() {
                    @Override
                    public void onSuccess(String name) {
                        outcome.complete(new SendOutcome.Accepted(name));
                    }

                    @Override
                    public void onFailure(Throwable failure) {
                        outcome.complete(classify(failure));
                    }
                },
                MoreExecutors.directExecutor());
        return outcome.orTimeout(60, TimeUnit.SECONDS)
                .exceptionally(timeout -> new SendOutcome.Failed("TIMEOUT", "no answer from FCM in 60 s", null));
    }

    /** What the SDK threw, sorted as dispatch-service sorts FCM's answers. */
    static SendOutcome classify(Throwable failure) {
        if (!(failure instanceof FirebaseMessagingException e)) {
            return new SendOutcome.Failed("IO", String.valueOf(failure.getMessage()), null);
        }
        return FcmErrors.classify(
                e.getMessagingErrorCode() == null
                        ? null
                        : e.getMessagingErrorCode().name(),
                e.getErrorCode().name(),
                String.valueOf(e.getMessage()),
                e.getHttpResponse() == null
                        ? null
                        : FcmErrors.retryAfter(
                                header(e.getHttpResponse().getHeaders().get("retry-after"))));
    }

    private static @Nullable String header(@Nullable Object value) {
        if (value instanceof Iterable<?> list) {
            value = list.iterator().hasNext() ? list.iterator().next() : null;
        }
        return value == null ? null : value.toString();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            app.delete();
        }
    }
}
