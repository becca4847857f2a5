package io.herald.spring.kafka;

import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.listener.CommonDelegatingErrorHandler;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Listeners' failures that say something Herald depends on is away — PostgreSQL unreachable or restarting, a Kafka
 * request timing out — rather than that a record is bad. Such a failure is retried, with a backoff of at most
 * {@link #MAX_INTERVAL}, for as long as the outage lasts: the records are held, never dead-lettered, and delivered
 * when it ends. Everything else goes to the error handler the service chose, which retries a while and then
 * dead-letters.
 */
public final class Outages {

    /** The longest wait between two attempts while something is away. */
    public static final Duration MAX_INTERVAL = Duration.ofSeconds(10);

    private Outages() {}

    /**
     * {@code otherwise}, except for a failure caused (anywhere in its cause chain) by an outage, which is retried
     * without end. The two handlers must agree on {@code seeksAfterHandling} and {@code isAckAfterHandle}; both are
     * {@link DefaultErrorHandler}s with the defaults here.
     */
    public static CommonErrorHandler heldThrough(DefaultErrorHandler otherwise) {
        var backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxInterval(MAX_INTERVAL.toMillis());
        // No recoverer is ever reached: the backoff has no end.
        var untilBack = new DefaultErrorHandler(backOff);
        untilBack.setLogLevel(KafkaException.Level.WARN);
        var handler = new CommonDelegatingErrorHandler(otherwise);
        handler.setCauseChainTraversing(true);
        handler.setErrorHandlers(Map.of(
                DataAccessResourceFailureException.class, untilBack,
                TransientDataAccessException.class, untilBack,
                SQLTransientException.class, untilBack,
                SQLRecoverableException.class, untilBack,
                RetriableException.class, untilBack,
                TimeoutException.class, untilBack));
        return handler;
    }
}
