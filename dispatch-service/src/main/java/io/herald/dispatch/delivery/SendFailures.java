package io.herald.dispatch.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * What an exception thrown while a push was built or sent means — the provider clients report every answer as
 * a {@link SendOutcome}, so an exception is either trouble on the way (I/O, a timeout, a client too busy to
 * take the send: transient, retried) or a bug or data the client cannot take (an argument it refuses, a
 * reserved key: permanent, dead-lettered at once with {@value #UNSENDABLE} and the exception as the reason).
 * Retrying the second kind would hold its partition for ever. Pure.
 */
final class SendFailures {

    /** The dead-letter reason code of a delivery its provider client threw on. */
    static final String UNSENDABLE = "unsendable";

    private SendFailures() {}

    /** Whether {@code failure}, or what it wraps, is trouble on the way that a later attempt may not meet. */
    static boolean transientFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException
                    || cause instanceof UncheckedIOException
                    || cause instanceof TimeoutException
                    || cause instanceof RejectedExecutionException
                    || cause instanceof CancellationException) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /**
     * The outcome of a send whose future completed with {@code failure} instead of an outcome; {@code timeout}
     * is how long it was given (a {@link TimeoutException} means it ran out).
     */
    static SendOutcome outcome(Throwable failure, Duration timeout) {
        Throwable cause = unwrap(failure);
        if (cause instanceof TimeoutException) {
            return new SendOutcome.Failed("TIMEOUT", "no outcome within " + timeout.toMillis() + " ms", null);
        }
        return transientFailure(cause)
                ? new SendOutcome.Failed("CLIENT", reason(cause), null)
                : new SendOutcome.Rejected(UNSENDABLE, reason(cause), false);
    }

    /** {@code ExceptionClass: message}, for a dead-letter reason or a log line. */
    static String reason(Throwable failure) {
        Throwable cause = unwrap(failure);
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
