package io.herald.dispatch.fcm;

import com.google.firebase.ErrorCode;
import com.google.firebase.messaging.FirebaseMessagingException;
import com.google.firebase.messaging.MessagingErrorCode;
import io.herald.dispatch.delivery.SendOutcome;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Sorts what the firebase-admin SDK threw into a {@link SendOutcome}. Pure. */
final class FcmErrors {

    private FcmErrors() {}

    static SendOutcome classify(Throwable failure) {
        if (!(failure instanceof FirebaseMessagingException e)) {
            return new SendOutcome.Failed("IO", String.valueOf(failure.getMessage()), null);
        }
        String reason = String.valueOf(e.getMessage());
        MessagingErrorCode code = e.getMessagingErrorCode();
        if (code != null) {
            return switch (code) {
                case UNREGISTERED, SENDER_ID_MISMATCH -> new SendOutcome.Rejected(code.name(), reason, true);
                // FCM answers INVALID_ARGUMENT both for a malformed token and for a malformed message.
                case INVALID_ARGUMENT ->
                    new SendOutcome.Rejected(
                            code.name(), reason, reason.toLowerCase(Locale.ROOT).contains("token"));
                case THIRD_PARTY_AUTH_ERROR -> new SendOutcome.Rejected(code.name(), reason, false);
                case QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL ->
                    new SendOutcome.Failed(code.name(), reason, retryAfter(e));
            };
        }
        ErrorCode platform = e.getErrorCode();
        return switch (platform) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE, NOT_FOUND, PERMISSION_DENIED ->
                new SendOutcome.Rejected(platform.name(), reason, false);
            default -> new SendOutcome.Failed(platform.name(), reason, retryAfter(e));
        };
    }

    private static @Nullable Duration retryAfter(FirebaseMessagingException e) {
        if (e.getHttpResponse() == null) {
            return null;
        }
        Object value = e.getHttpResponse().getHeaders().get("retry-after");
        if (value instanceof Iterable<?> list && list.iterator().hasNext()) {
            value = list.iterator().next();
        }
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(value.toString().trim()));
        } catch (NumberFormatException notSeconds) {
            return null;
        }
    }
}
