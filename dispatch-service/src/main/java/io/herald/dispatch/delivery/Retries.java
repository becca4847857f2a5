package io.herald.dispatch.delivery;

import io.herald.events.DeadLetters;
import io.herald.events.HeraldHeaders;
import io.herald.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Where a delivery goes when it was not sent: the next retry topic ({@code herald.push.v1-retry-0} for the
 * second attempt, {@code -retry-1} for the third, …) with the attempt count and the time it is due in headers,
 * or, once {@code max-attempts} sends failed or at once when it can never be sent, {@code herald.push.v1-dlt}
 * with the reason. The record keeps its key, its bytes and its other headers.
 *
 * <p>The wait before attempt {@code n + 1} is {@code initial-interval × multiplier^(n-1)}, at most {@code
 * max-interval}, plus or minus up to {@code jitter}; or the provider's {@code Retry-After} when that is longer
 * (a provider asking for one second during an outage must not use up every attempt in a few seconds). A retry
 * topic is read in order, so a record waits for those before it: a {@code Retry-After} longer than {@code
 * max-retry-after} is not waited for on a retry topic, the delivery goes to the dead-letter topic at once with
 * {@code retry-after-exceeded} (replay it once the provider takes pushes again).
 *
 * <p>A retry keeps the timestamp of the record it copies, so every copy of a delivery carries the time it was
 * first published: the delivery log looks for earlier sends from then on (see {@link DeliveryLog}).
 */
@Component
public class Retries {

    static final String SERVICE = "dispatch-service";

    /** The dead-letter reason code of a delivery whose provider asked to wait longer than {@code max-retry-after}. */
    static final String RETRY_AFTER_EXCEEDED = "retry-after-exceeded";

    private final KafkaTemplate<String, Object> kafka;
    private final DispatchProperties.Retry settings;
    private final Clock clock;

    Retries(KafkaTemplate<String, Object> kafka, DispatchProperties properties, Clock clock) {
        this.kafka = kafka;
        this.settings = properties.retry();
        this.clock = clock;
    }

    /** {@code herald.push.v1-retry-<index>}: where deliveries wait for attempt {@code index + 2}. */
    public static String topic(int index) {
        return Topics.PUSH + "-retry-" + index;
    }

    /** The retry topics, one per attempt after the first. */
    public List<String> topics() {
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < settings.maxAttempts() - 1; i++) {
            topics.add(topic(i));
        }
        return topics;
    }

    /** How many sends were made before this record was read (0 on the main topic). */
    static int attemptsMade(ConsumerRecord<?, ?> record) {
        String value = header(record.headers(), HeraldHeaders.RETRY_ATTEMPT);
        try {
            return value == null ? 0 : Math.max(0, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** When the record's next send is due ({@link Instant#EPOCH}, that is now, on the main topic). */
    public static Instant notBefore(ConsumerRecord<?, ?> record) {
        String value = header(record.headers(), HeraldHeaders.RETRY_NOT_BEFORE);
        try {
            return value == null ? Instant.EPOCH : Instant.ofEpochMilli(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return Instant.EPOCH;
        }
    }

    /** The wait after {@code attemptsMade} failed sends, without a {@code Retry-After}. */
    Duration backoff(int attemptsMade) {
        double millis = settings.initialInterval().toMillis() * Math.pow(settings.multiplier(), attemptsMade - 1);
        long wait = (long) Math.min(millis, (double) settings.maxInterval().toMillis());
        long jitter = settings.jitter().toMillis();
        if (jitter > 0) {
            wait += ThreadLocalRandom.current().nextLong(-jitter, jitter + 1);
        }
        return Duration.ofMillis(Math.max(0, wait));
    }

    /**
     * After the send that made it {@code attemptsMade} failed with {@code failure}: to the next retry topic, or
     * to the dead-letter topic when that was the last attempt allowed ({@code retries-exhausted}) or the
     * provider asked to wait longer than {@code max-retry-after} ({@code retry-after-exceeded}).
     */
    CompletableFuture<?> retryOrDeadLetter(
            ConsumerRecord<String, byte[]> record, int attemptsMade, SendOutcome.Failed failure) {
        String lastFailure = failure.code() + ": " + failure.reason();
        if (attemptsMade >= settings.maxAttempts()) {
            return deadLetter(
                    record,
                    DeadLetters.headers(
                            Topics.PUSH,
                            SERVICE,
                            "retries-exhausted",
                            "not sent in " + attemptsMade + " attempts; last: " + lastFailure));
        }
        Duration retryAfter = failure.retryAfter();
        if (retryAfter != null && retryAfter.compareTo(settings.maxRetryAfter()) > 0) {
            return deadLetter(
                    record,
                    DeadLetters.headers(
                            Topics.PUSH,
                            SERVICE,
                            RETRY_AFTER_EXCEEDED,
                            "the provider asked to wait " + retryAfter + ", longer than"
                                    + " herald.dispatch.retry.max-retry-after (" + settings.maxRetryAfter()
                                    + "), after attempt " + attemptsMade + "; last: " + lastFailure));
        }
        Duration wait = backoff(attemptsMade);
        if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
            wait = retryAfter;
        }
        var forward = copy(record, topic(attemptsMade - 1), record.timestamp());
        forward.headers().add(HeraldHeaders.RETRY_ATTEMPT, utf8(Integer.toString(attemptsMade)));
        forward.headers()
                .add(
                        HeraldHeaders.RETRY_NOT_BEFORE,
                        utf8(Long.toString(clock.instant().plus(wait).toEpochMilli())));
        forward.headers().add(HeraldHeaders.RETRY_LAST_FAILURE, utf8(lastFailure));
        return kafka.send(forward);
    }

    /** To {@code herald.push.v1-dlt}, with {@code reason} ({@code herald-dlt-*} headers). */
    CompletableFuture<?> deadLetter(ConsumerRecord<String, byte[]> record, Headers reason) {
        var dead = copy(record, Topics.PUSH_DLT, null);
        reason.forEach(dead.headers()::add);
        return kafka.send(dead);
    }

    private static ProducerRecord<String, Object> copy(
            ConsumerRecord<String, byte[]> record, String topic, @Nullable Long timestamp) {
        var copy = new ProducerRecord<String, Object>(
                topic, null, timestamp == null || timestamp < 0 ? null : timestamp, record.key(), record.value());
        for (Header header : record.headers()) {
            if (!header.key().startsWith("herald-retry-") && !header.key().startsWith("herald-dlt-")) {
                copy.headers().add(header);
            }
        }
        return copy;
    }

    private static @Nullable String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
