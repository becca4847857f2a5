package io.herald.dispatch.delivery;

/** A delivery that can never be made as it is: it goes straight to the dead-letter topic with {@link #code()}. */
public final class UndeliverableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;

    public UndeliverableException(String code, String reason) {
        super(reason);
        this.code = code;
    }

    /** A stable reason code, such as {@code provider-disabled} or {@code invalid-argument}. */
    public String code() {
        return code;
    }
}
