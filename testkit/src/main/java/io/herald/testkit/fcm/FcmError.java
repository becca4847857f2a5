package io.herald.testkit.fcm;

import org.jspecify.annotations.Nullable;

/**
 * The FCM HTTP v1 error codes the emulator can answer with, each with the HTTP status and Google RPC status
 * the real service sends for it.
 */
public enum FcmError {
    /** The token is no longer valid: the app was uninstalled or the token expired. */
    UNREGISTERED(404, "NOT_FOUND", "Requested entity was not found."),
    /** The request or the token is malformed. */
    INVALID_ARGUMENT(400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token"),
    /**
     * The message itself is invalid (FCM's {@code INVALID_ARGUMENT} for a payload, not a token: too big, a
     * reserved data key, a malformed field).
     */
    INVALID_PAYLOAD(
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument: message is too big (4096 bytes at most)",
            "INVALID_ARGUMENT"),
    /** The token belongs to another sender. */
    SENDER_ID_MISMATCH(403, "PERMISSION_DENIED", "SenderId mismatch"),
    /** The project's or the device's message quota is exhausted; the answer carries {@code Retry-After}. */
    QUOTA_EXCEEDED(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Send requests'."),
    /** FCM is overloaded or down. */
    UNAVAILABLE(503, "UNAVAILABLE", "The service is currently unavailable."),
    /** An unknown internal error. */
    INTERNAL(500, "INTERNAL", "Internal error encountered.");

    private final int httpStatus;
    private final String rpcStatus;
    private final String message;
    private final String errorCode;

    FcmError(int httpStatus, String rpcStatus, String message) {
        this(httpStatus, rpcStatus, message, null);
    }

    FcmError(int httpStatus, String rpcStatus, String message, @Nullable String errorCode) {
        this.httpStatus = httpStatus;
        this.rpcStatus = rpcStatus;
        this.message = message;
        this.errorCode = errorCode == null ? name() : errorCode;
    }

    /** The {@code errorCode} of the body's {@code FcmError} detail. */
    public String errorCode() {
        return errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String rpcStatus() {
        return rpcStatus;
    }

    public String message() {
        return message;
    }
}
