package io.herald.dispatch.delivery;

/** The provider failed for now; the delivery is retried with backoff, then dead-lettered. */
final class TransientDeliveryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    TransientDeliveryException(String code, String reason) {
        super(code + ": " + reason);
    }
}
